using System.Text;
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
    public void Malformed_bodies_are_rejected_with_a_reason(string body, string reason)
    {
        Assert.False(TaskSubmission.TryParse(Bytes(body), out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
