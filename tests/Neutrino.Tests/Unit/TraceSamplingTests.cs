using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Neutrino.Tests.Unit;

public sealed class TraceSamplingTests
{
    [Fact]
    public void A_new_trace_is_recorded_while_the_bucket_has_a_token_and_again_once_it_is_refilled()
    {
        using var bucket = new Tokens(2);
        var sampler = new ParentBasedSampler(new RateLimitedSampler(new AlwaysOnSampler(), bucket));

        Assert.Equal([SamplingDecision.RecordAndSample, SamplingDecision.RecordAndSample, SamplingDecision.Drop],
            Enumerable.Range(0, 3).Select(_ => Root(sampler)));
        bucket.Add(1);
        Assert.Equal(SamplingDecision.RecordAndSample, Root(sampler));
        Assert.Equal(SamplingDecision.Drop, Root(sampler));
    }

    [Fact]
    public void A_span_with_a_parent_follows_the_parent_whatever_the_bucket_holds()
    {
        using var bucket = new Tokens(1);
        var sampler = new ParentBasedSampler(new RateLimitedSampler(new AlwaysOnSampler(), bucket));
        Assert.Equal(SamplingDecision.RecordAndSample, Root(sampler));
        Assert.Equal(SamplingDecision.Drop, Root(sampler));

        // A worker's consume span, from the trace context in a task's message: the gateway decided.
        Assert.Equal(SamplingDecision.RecordAndSample, Child(sampler, ActivityTraceFlags.Recorded));
        Assert.Equal(SamplingDecision.Drop, Child(sampler, ActivityTraceFlags.None));
    }

    [Fact]
    public void A_ratio_drop_takes_no_token()
    {
        using var bucket = new Tokens(1);
        var sampler = new RateLimitedSampler(new AlwaysOffSampler(), bucket);
        Assert.Equal(SamplingDecision.Drop, Root(sampler));
        Assert.Equal(1, bucket.GetStatistics().CurrentAvailablePermits);
    }

    [Fact]
    public void Unset_leaves_OpenTelemetrys_default()
    {
        Assert.Null(TraceSampling.FromConfiguration(Config()));
        Assert.Null(TraceSampling.FromConfiguration(Config((TraceSampling.RatioKey, ""))));
    }

    [Fact]
    public void A_ratio_of_zero_records_no_new_trace_and_still_follows_a_parent()
    {
        var sampler = TraceSampling.FromConfiguration(Config((TraceSampling.RatioKey, "0"), (TraceSampling.MaxPerSecondKey, "0")))!;
        Assert.Equal(SamplingDecision.Drop, Root(sampler));
        Assert.Equal(SamplingDecision.RecordAndSample, Child(sampler, ActivityTraceFlags.Recorded));
    }

    [Theory]
    [InlineData(TraceSampling.RatioKey, "1.5")]
    [InlineData(TraceSampling.RatioKey, "-0.1")]
    [InlineData(TraceSampling.RatioKey, "NaN")]
    [InlineData(TraceSampling.RatioKey, "half")]
    [InlineData(TraceSampling.MaxPerSecondKey, "-1")]
    [InlineData(TraceSampling.MaxPerSecondKey, "2.5")]
    [InlineData(TraceSampling.MaxPerSecondKey, "99999999999")]
    public void A_bad_setting_is_refused_by_name(string key, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TraceSampling.FromConfiguration(Config((key, value))));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tracer_provider_records_no_more_new_traces_than_the_bound_allows()
    {
        // 5 a second: a full bucket of 5, then one token every 200 ms. The bound is computed from the time
        // the loop really took, so a slow machine loosens it instead of failing it.
        using var source = new ActivitySource($"Neutrino.Tests.{Guid.NewGuid():N}");
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .SetSampler(TraceSampling.FromConfiguration(Config((TraceSampling.MaxPerSecondKey, "5")))!)
            .Build();
        var clock = Stopwatch.StartNew();
        var recorded = 0;
        for (var i = 0; i < 200; i++)
        {
            using var activity = source.StartActivity("request", ActivityKind.Server);
            if (activity is { Recorded: true })
            {
                recorded++;
                // What the request causes is in its trace.
                using var child = source.StartActivity("store insert queued");
                Assert.True(child is { Recorded: true });
            }
        }
        var elapsed = clock.Elapsed;
        Assert.InRange(recorded, 5, 5 + (int)Math.Ceiling(elapsed.TotalSeconds * 5) + 1);
    }

    /// <summary>A bucket refilled only when the test says (a token bucket's own refill follows the clock).</summary>
    private sealed class Tokens(int count) : RateLimiter
    {
        private int _count = count;

        public void Add(int tokens) => Interlocked.Add(ref _count, tokens);

        public override TimeSpan? IdleDuration => null;

        public override RateLimiterStatistics GetStatistics() => new() { CurrentAvailablePermits = Volatile.Read(ref _count) };

        protected override RateLimitLease AttemptAcquireCore(int permitCount)
        {
            if (Interlocked.Add(ref _count, -permitCount) >= 0)
            {
                return new Lease(acquired: true);
            }
            Interlocked.Add(ref _count, permitCount);
            return new Lease(acquired: false);
        }

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            ValueTask.FromResult(AttemptAcquireCore(permitCount));

        private sealed class Lease(bool acquired) : RateLimitLease
        {
            public override bool IsAcquired => acquired;

            public override IEnumerable<string> MetadataNames => [];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                return false;
            }
        }
    }

    private static SamplingDecision Root(Sampler sampler) =>
        sampler.ShouldSample(new SamplingParameters(default, ActivityTraceId.CreateRandom(), "POST /api/{task}", ActivityKind.Server)).Decision;

    private static SamplingDecision Child(Sampler sampler, ActivityTraceFlags parentFlags)
    {
        var traceId = ActivityTraceId.CreateRandom();
        var parent = new ActivityContext(traceId, ActivitySpanId.CreateRandom(), parentFlags, isRemote: true);
        return sampler.ShouldSample(new SamplingParameters(parent, traceId, "run noop", ActivityKind.Consumer)).Decision;
    }

    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}
