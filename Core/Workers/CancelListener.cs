using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Neutrino.Core.Messaging;

namespace Neutrino.Core.Workers;

/// <summary>Cancels a running task when the gateway asks (core NATS <c>neutrino.cancel.{id}</c>, heard by every worker).</summary>
internal sealed partial class CancelListener(INatsConnection nats, RunningTasks running, ILogger<CancelListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var msg in nats.SubscribeAsync<byte[]>(Subjects.CancelAll, cancellationToken: stoppingToken))
                {
                    var token = msg.Subject[(msg.Subject.LastIndexOf('.') + 1)..];
                    if (Guid.TryParseExact(token, "N", out var id) && running.TryCancel(id))
                    {
                        LogCancelled(logger, id);
                    }
                }
            }
            catch (NatsException ex)
            {
                LogSubscriptionFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelling task {TaskId} at the caller's request")]
    private static partial void LogCancelled(ILogger logger, Guid taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cancel subscription failed; resubscribing")]
    private static partial void LogSubscriptionFailed(ILogger logger, Exception error);
}
