namespace Neutrino.Client.Tests;

public sealed class IdempotencyKeyTests
{
    [Fact]
    public void New_keys_are_url_safe_valid_and_distinct()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => IdempotencyKey.New()).ToList();

        Assert.All(keys, key =>
        {
            Assert.Equal(22, key.Length);
            Assert.True(IdempotencyKey.IsValid(key));
            Assert.All(key, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_', $"'{c}' is not URL-safe"));
        });
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("order-1234", true)]
    [InlineData("!~", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("two words", false)]
    [InlineData("tab\there", false)]
    [InlineData("\u00e9t\u00e9", false)]
    public void IsValid_follows_the_gateways_rule(string? key, bool valid) =>
        Assert.Equal(valid, IdempotencyKey.IsValid(key));

    [Fact]
    public void IsValid_takes_255_characters_and_no_more()
    {
        Assert.True(IdempotencyKey.IsValid(new string('k', 255)));
        Assert.False(IdempotencyKey.IsValid(new string('k', 256)));
    }
}
