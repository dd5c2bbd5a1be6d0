using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Neutrino.Core.Http;
using Neutrino.Gateway.Extensions;

namespace Neutrino.Gateway.Admission;

/// <summary>
/// Before any work: a per-key token bucket (429 when a caller goes over its rate) and a bound on
/// the requests under way in this gateway (503 when it is overloaded). Both say when to retry.
/// </summary>
internal sealed class AdmissionControl : IDisposable
{
    private readonly GatewayOptions _options;
    private readonly PartitionedRateLimiter<string>? _perKey;
    private readonly PartitionedRateLimiter<string> _longPollsPerKey;
    private int _inFlight;

    public AdmissionControl(IOptions<GatewayOptions> options)
    {
        _options = options.Value;
        if (_options.RequestsPerSecondPerKey > 0)
        {
            _perKey = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = _options.BurstPerKey,
                TokensPerPeriod = _options.RequestsPerSecondPerKey,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        }
        _longPollsPerKey = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = _options.MaxLongPollsPerKey,
            QueueLimit = 0,
        }));
    }

    /// <summary>
    /// A slot for one long poll (<c>?wait=</c>) of this key, held until the poll answers; none when the
    /// key already holds <see cref="GatewayOptions.MaxLongPollsPerKey"/>, so one key cannot hold every
    /// request slot of the gateway by waiting.
    /// </summary>
    public RateLimitLease AcquireLongPoll(string callerId) => _longPollsPerKey.AttemptAcquire(callerId);

    public async Task InvokeAsync(HttpContext context, string callerId, RequestDelegate next)
    {
        if (_perKey is not null)
        {
            using var lease = _perKey.AttemptAcquire(callerId);
            if (!lease.IsAcquired)
            {
                context.Response.Headers.RetryAfter = "1";
                await GatewayErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"This API key is limited to {_options.RequestsPerSecondPerKey} requests per second.", "rate_limit_exceeded");
                return;
            }
        }
        if (Interlocked.Increment(ref _inFlight) > _options.MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            context.Response.Headers.RetryAfter = "1";
            await GatewayErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable", "The gateway is at capacity; retry shortly.", "overloaded");
            return;
        }
        try
        {
            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public void Dispose()
    {
        _perKey?.Dispose();
        _longPollsPerKey.Dispose();
    }
}
