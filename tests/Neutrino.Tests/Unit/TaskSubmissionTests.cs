using System.Text;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;

namespace Neutrino.Tests.Unit;

public sealed class TaskSubmissionTests
{
    [Fact]
    public void Args_are_kept_as_raw_json_and_priority_is_read()
    {
        Assert.True(TaskSubmission.TryParse(Bytes("""{"priority":"high","args":{"a":[1, 2]}}"""), out var submission, out _));
        Assert.Equal("""{"a":[1, 2]}""", Encoding.UTF8.GetString(submission.Args.Span));
        Assert.Equal(TaskPriority.High, submission.Priority);
    }

    [Fact]
    public void An_empty_body_means_null_args_at_normal_priority()
    {
        Assert.True(TaskSubmission.TryParse(ReadOnlyMemory<byte>.Empty, out var submission, out _));
        Assert.Equal("null", Encoding.UTF8.GetString(submission.Args.Span));
        Assert.Equal(TaskPriority.Normal, submission.Priority);
    }

    [Theory]
    [InlineData("""{"args":""", "not valid JSON")]
    [InlineData("""[1,2]""", "must be a JSON object")]
    [InlineData("""{"args":1} {}""", "not valid JSON")]
    [InlineData("""{"args":1,"priority":"urgent"}""", "'priority' must be one of")]
    [InlineData("""{"args":1,"priority":1}""", "'priority' must be one of")]
    [InlineData("""{"args":1,"priority":"2"}""", "'priority' must be one of")]
    [InlineData("""{"arguments":1}""", "Unknown property 'arguments'")]
    [InlineData("""{"\ud800":1}""", "cannot be read")]
    [InlineData("""{"args":1,"priority":"\ud800"}""", "cannot be read")]
    public void Malformed_bodies_are_rejected_with_a_reason(string body, string reason)
    {
        Assert.False(TaskSubmission.TryParse(Bytes(body), out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"args":{"x":"\u0000"}}""", "contains \\u0000")]
    [InlineData("""{"args":{"a\u0000b":1}}""", "A property name at byte")]
    [InlineData("""{"args":["\ud800"]}""", "unpaired UTF-16 surrogate")]
    [InlineData("""{"args":"\udc00\ud800"}""", "unpaired UTF-16 surrogate")]
    [InlineData("""{"args":1e1000000}""", "out of range")]
    [InlineData("""{"args":[1,-2.5E-1001]}""", "out of range")]
    [InlineData("""{"args":{"n":1e99999999999999999999999}}""", "out of range")]
    public void Args_PostgreSQL_cannot_store_are_rejected_before_they_are_accepted(string body, string reason)
    {
        Assert.False(TaskSubmission.TryParse(Bytes(body), out _, out var error));
        Assert.StartsWith("'args' cannot be stored", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"args":"\ud83d\ude00 \u00e9 \n"}""")]
    [InlineData("""{"args":[1e1000,-1E-1000,0.5,123456789012345678901234567890]}""")]
    public void Args_PostgreSQL_can_store_are_kept(string body) => Assert.True(TaskSubmission.TryParse(Bytes(body), out _, out _));

    [Fact]
    public void Free_text_is_made_storable()
    {
        Assert.Equal("plain", StoredText.Clean("plain"));
        Assert.Equal("a\uFFFDb", StoredText.Clean("a\0b"));
        Assert.Equal("\ud83d\ude00", StoredText.Clean("\ud83d\ude00"));
        Assert.Equal("x\uFFFD", StoredText.Clean("x\ud800"));
        Assert.Equal("\uFFFDy\uFFFD", StoredText.Clean("\udc00y\ud800"));
        Assert.Null(StoredText.Clean(null));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
