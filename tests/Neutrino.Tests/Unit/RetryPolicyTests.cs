using Neutrino.Core.Tasks;

namespace Neutrino.Tests.Unit;

public sealed class RetryPolicyTests
{
    private readonly RetryPolicy _policy = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(3, 4000)]
    [InlineData(10, 30000)]
    public void Delays_grow_exponentially_up_to_the_cap_with_half_of_them_jittered(int failedAttempt, double ceilingMs)
    {
        Assert.Equal(ceilingMs / 2, _policy.DelayAfter(failedAttempt, 0).TotalMilliseconds, precision: 6);
        Assert.Equal(ceilingMs, _policy.DelayAfter(failedAttempt, 1).TotalMilliseconds, precision: 6);
        Assert.Equal(ceilingMs * 0.75, _policy.DelayAfter(failedAttempt, 0.5).TotalMilliseconds, precision: 6);
    }

    [Fact]
    public void There_is_no_delay_before_the_first_attempt() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _policy.DelayAfter(0, 0.5));
}
