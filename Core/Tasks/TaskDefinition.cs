using System.Text.RegularExpressions;

namespace Neutrino.Core.Tasks;

/// <summary>
/// What the catalog knows of a task: enough for the gateway to route it and for a worker to
/// enforce its limits. Published by the pools to the catalog bucket.
/// </summary>
public sealed partial record TaskDefinition
{
    public TaskDefinition(string name, TaskMode mode, TimeSpan timeout, int maxAttempts, RetryPolicy? retry = null)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException(
                $"Task name '{name}' is invalid: use 1-64 characters of a-z, 0-9, '_' or '-', starting with a letter or digit.",
                nameof(name));
        }
        if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, $"A task's timeout must be positive and at most {MaxTimeout.TotalDays:0} days.");
        }
        if (maxAttempts is < 1 or > MaxAttemptsLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), maxAttempts, $"A task has 1 to {MaxAttemptsLimit} attempts.");
        }
        if (mode == TaskMode.Sync && maxAttempts != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), maxAttempts, "Sync tasks run once; the caller retries.");
        }
        Name = name;
        Mode = mode;
        Timeout = timeout;
        MaxAttempts = maxAttempts;
        Retry = retry ?? RetryPolicy.Default;
    }

    /// <summary>The longest a task may run: a week (JetStream's redelivery and the drain work in these terms).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(7);

    public const int MaxAttemptsLimit = 1000;

    public string Name { get; }

    public TaskMode Mode { get; }

    public string Pool => Pools.For(Mode);

    public TimeSpan Timeout { get; }

    public int MaxAttempts { get; }

    public RetryPolicy Retry { get; }

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    // Names become NATS subject tokens and URL segments: no dots, wildcards or spaces.
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
