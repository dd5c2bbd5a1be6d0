using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which traces a service records, decided where a trace starts (head sampling): a span with a parent
/// follows its parent's decision, so a task's trace is whole or absent in every process it crosses.
/// A trace this service starts (a request that brings no trace context) is recorded
/// <list type="bullet">
///   <item>with probability <c>Neutrino:Tracing:SampleRatio</c> (0 to 1; 1 when unset), as OpenTelemetry's <c>parentbased_traceidratio</c>;</item>
///   <item>and only while fewer than <c>Neutrino:Tracing:MaxTracesPerSecond</c> have started in the last second
///     (a token bucket refilled evenly; no bound when unset or 0), as Jaeger's and X-Ray's rate-limiting samplers:
///     every request of a developer's session is traced, and a load of thousands a second costs a bounded few.</item>
/// </list>
/// With neither set the service keeps OpenTelemetry's own default (and its <c>OTEL_TRACES_SAMPLER</c>).
/// </summary>
public static class TraceSampling
{
    public const string RatioKey = "Neutrino:Tracing:SampleRatio";
    public const string MaxPerSecondKey = "Neutrino:Tracing:MaxTracesPerSecond";

    public static Sampler? FromConfiguration(IConfiguration configuration)
    {
        var ratio = Read(configuration, RatioKey, double.Parse, value => value is >= 0 and <= 1, "a number from 0 to 1");
        var perSecond = Read(configuration, MaxPerSecondKey, int.Parse, value => value >= 0, "a whole number, 0 for no bound");
        if (ratio is null && perSecond is null)
        {
            return null;
        }
        Sampler root = ratio is null or >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio.Value);
        if (perSecond is > 0)
        {
            root = new RateLimitedSampler(root, Bucket(perSecond.Value));
        }
        return new ParentBasedSampler(root);
    }

    /// <summary>
    /// At most <paramref name="perSecond"/> a second, refilled a few tokens at a time (a tenth of a second's
    /// worth, at least one) rather than all at once: a burst takes up to a second's worth, then the rate.
    /// </summary>
    private static TokenBucketRateLimiter Bucket(int perSecond)
    {
        var tokensPerPeriod = Math.Max(1, perSecond / 10);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokensPerPeriod / (double)perSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static T? Read<T>(IConfiguration configuration, string key, Func<string, IFormatProvider, T> parse, Func<T, bool> valid, string expected)
        where T : struct
    {
        if (configuration[key] is not { Length: > 0 } text)
        {
            return null;
        }
        try
        {
            var value = parse(text, CultureInfo.InvariantCulture);
            if (valid(value))
            {
                return value;
            }
        }
        catch (FormatException)
        {
        }
        catch (OverflowException)
        {
        }
        throw new InvalidOperationException($"{key} must be {expected}, not '{text}'.");
    }
}

/// <summary>The inner sampler's decision, turned into a drop once the limiter has no token left.</summary>
internal sealed class RateLimitedSampler(Sampler inner, RateLimiter limiter) : Sampler
{
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        var result = inner.ShouldSample(samplingParameters);
        if (result.Decision != SamplingDecision.RecordAndSample)
        {
            return result;
        }
        using var lease = limiter.AttemptAcquire();
        return lease.IsAcquired ? result : new SamplingResult(SamplingDecision.Drop);
    }
}
