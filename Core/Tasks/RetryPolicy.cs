namespace Neutrino.Core.Tasks;

/// <summary>Exponential backoff with full jitter between attempts of a queued task.</summary>
public sealed record RetryPolicy(TimeSpan InitialDelay, TimeSpan MaxDelay, double Multiplier = 2.0)
{
    public static RetryPolicy Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

    /// <summary>The delay before attempt <paramref name="failedAttempt"/> + 1, given a uniform sample in [0, 1).</summary>
    public TimeSpan DelayAfter(int failedAttempt, double jitterSample)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempt, 1);
        var ceiling = InitialDelay.TotalMilliseconds * Math.Pow(Multiplier, failedAttempt - 1);
        ceiling = Math.Min(ceiling, MaxDelay.TotalMilliseconds);
        // Half fixed, half jittered: spreads retries of a burst without ever retrying at once.
        return TimeSpan.FromMilliseconds((ceiling / 2) + (ceiling / 2 * jitterSample));
    }
}
