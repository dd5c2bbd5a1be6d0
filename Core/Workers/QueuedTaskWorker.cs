using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Neutrino.Core.Messaging;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;
using Neutrino.Core.Telemetry;

namespace Neutrino.Core.Workers;

/// <summary>
/// Runs a pool's queued tasks from its JetStream consumers, one per priority, taking from a lower
/// priority only when the higher ones are empty. Delivery is at least once; the state writes are
/// forward-only, so a redelivered message never moves a task back.
/// </summary>
internal sealed partial class QueuedTaskWorker(
    TaskRegistry registry,
    INatsConnection nats,
    INatsJSContext js,
    TaskStore store,
    RunningTasks running,
    WorkerIdentity identity,
    IServiceScopeFactory scopes,
    IOptions<WorkerOptions> options,
    IOptions<JetStreamOptions> topology,
    TimeProvider time,
    ILogger<QueuedTaskWorker> logger) : BackgroundService
{
    private const int MaxFetch = 64;
    private readonly WorkerOptions _options = options.Value;

    // Stopping ends fetching at once; running handlers are cancelled (and handed back) only when the drain time is up.
    private readonly CancellationTokenSource _abort = new();

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var drain = stoppingToken.Register(() =>
        {
            LogDraining(logger, running.Count, _options.DrainTimeout);
            _abort.CancelAfter(_options.DrainTimeout);
        });
        for (var failures = 0; !stoppingToken.IsCancellationRequested;)
        {
            try
            {
                await ConsumeAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException)
            {
                // Broker gone or restarting: back off and bind again; unacked messages are redelivered.
                failures++;
                LogConsumeFailed(logger, registry.Pool, ex);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(failures, 5)), time, stoppingToken);
            }
        }
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        await JetStreamTopology.EnsureStreamsAsync(js, topology.Value, stoppingToken);
        var consumers = await JetStreamTopology.EnsureConsumersAsync(js, registry.Pool, _options.AckWait, stoppingToken);
        // Every publish to the pool's subjects also reaches this plain subscription: an idle worker wakes at once.
        await using var doorbell = await nats.SubscribeCoreAsync<byte[]>(Subjects.PoolTasks(registry.Pool), cancellationToken: stoppingToken);
        LogConsuming(logger, registry.Pool, _options.Concurrency);

        var slots = new SemaphoreSlim(_options.Concurrency, _options.Concurrency);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                var free = 1;
                while (free < MaxFetch && slots.Wait(0, CancellationToken.None))
                {
                    free++;
                }
                while (doorbell.Msgs.TryRead(out _))
                {
                }

                var received = 0;
                try
                {
                    foreach (var priority in Subjects.PrioritiesInOrder)
                    {
                        await foreach (var msg in consumers[priority].FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = free }, cancellationToken: stoppingToken))
                        {
                            received++;
                            _ = RunAndReleaseAsync(msg, slots, _abort.Token);
                        }
                        if (received > 0)
                        {
                            break;
                        }
                    }
                }
                finally
                {
                    // Each message received holds its permit until it is settled; the rest go back, even
                    // when the fetch threw (else the drain below would wait for them forever).
                    if (received < free)
                    {
                        slots.Release(free - received);
                    }
                }
                if (received == 0)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    idle.CancelAfter(_options.IdlePoll);
                    try
                    {
                        await doorbell.Msgs.WaitToReadAsync(idle.Token);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        // Idle poll: delayed retries (Nak with delay) ring no bell.
                    }
                }
            }
        }
        finally
        {
            // Shutdown or broker failure: wait for in-flight tasks; on shutdown they hand their messages back.
            for (var i = 0; i < _options.Concurrency; i++)
            {
                await slots.WaitAsync(CancellationToken.None);
            }
        }
    }

    private async Task RunAndReleaseAsync(INatsJSMsg<byte[]> msg, SemaphoreSlim slots, CancellationToken abortToken)
    {
        try
        {
            await ProcessAsync(msg, abortToken);
        }
#pragma warning disable CA1031 // Whatever went wrong, the message stays unacked and is redelivered; the worker goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogProcessFailed(logger, msg.Subject, ex);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task ProcessAsync(INatsJSMsg<byte[]> msg, CancellationToken abortToken)
    {
        if (!TryReadTask(msg, out var id, out var name))
        {
            LogMalformed(logger, msg.Subject);
            await msg.AckTerminateAsync(cancellationToken: CancellationToken.None);
            return;
        }
        using var logScope = TaskLogScope.Begin(logger, id, name);
        // The delivery's span, in the trace of the request that submitted the task: the start decision, the
        // run and the outcome's writes are its children.
        using var activity = StartActivity(msg, name, id);
        var registration = registry.Find(name);
        if (registration is null)
        {
            await GiveUpAsync(msg, id, name, $"no handler for task '{name}' in pool '{registry.Pool}'", 0);
            return;
        }
        if (!running.TryRegister(id, out var cancel))
        {
            // Another delivery of a task this process is running (its heartbeats were lost for a while):
            // the message is left alone, and the run under way settles it.
            LogHeld(logger, id, name, identity.Id);
            return;
        }
        try
        {
            // 1. Decide, under the task's row lock, what this delivery may do. Dying after a start: the
            //    message is redelivered after AckWait, and once this worker's liveness lease has run out
            //    the redelivery takes the task over as the next attempt.
            var runToken = $"{identity.Id}/{msg.Metadata?.Sequence.Stream}/{msg.Metadata?.NumDelivered}";
            var decision = await WriteAsync(() => store.TryStartAsync(id, runToken, identity.Id, _options.LivenessLease, time.GetUtcNow(), CancellationToken.None));
            switch (decision.Verdict)
            {
                case StartVerdict.Finished:
                    await msg.AckAsync(cancellationToken: CancellationToken.None);
                    return;
                case StartVerdict.Held:
                    LogHeld(logger, id, name, decision.Holder);
                    return;
                case StartVerdict.Cancel:
                    if (await WriteAsync(() => store.CancelIfRequestedAsync(id, identity.Id, time.GetUtcNow(), CancellationToken.None)))
                    {
                        TaskMetrics.RecordFinished(name, registry.Pool, TaskState.Cancelled);
                        await AnnounceDoneAsync(id);
                    }
                    await msg.AckAsync(cancellationToken: CancellationToken.None);
                    return;
                case StartVerdict.Exhausted:
                    await GiveUpAsync(msg, id, name, $"worker {decision.Holder ?? "(unknown)"} was lost during attempt {decision.Attempt}, the last of {decision.MaxAttempts}", decision.Attempt, decision.Tenant);
                    return;
                case StartVerdict.Missing:
                    LogUnrecorded(logger, id, name);
                    await msg.AckTerminateAsync(cancellationToken: CancellationToken.None);
                    return;
            }
            var attempt = decision.Attempt;
            // A first attempt waited in the queue since its message was stored; a later one waited out its retry delay.
            TaskMetrics.RecordStarted(name, registry.Pool, attempt == 1 && msg.Metadata is { } metadata ? time.GetUtcNow() - metadata.Timestamp : null);

            // 2. Run, telling the server the task is alive so it is not redelivered meanwhile.
            TaskOutcome outcome;
            var ran = time.GetTimestamp();
            activity?.SetTag("neutrino.task.attempt", attempt);
            using (var stopBeats = new CancellationTokenSource())
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token, abortToken))
            {
                var beats = HeartbeatAsync(msg, stopBeats.Token);
                await using var scope = scopes.CreateAsyncScope();
                var context = new TaskContext(id, name, attempt, identity.Id, decision.Tenant, (fraction, message, ct) => ReportProgressAsync(id, fraction, message, ct));
                outcome = await TaskExecutor.RunAsync(
                    registration.CreateHandler(scope.ServiceProvider), msg.Data ?? [], context, registration.Definition.Timeout, time, linked.Token, _options.MaxResultBytes);
                await stopBeats.CancelAsync();
                await beats;
                activity?.SetTag("neutrino.outcome", outcome.Kind.ToString());
                TaskMetrics.RecordRan(name, registry.Pool, outcome.Kind, time.GetElapsedTime(ran));
            }

            // 3. Record the outcome, then settle the message. Dying in between: the redelivery finds the
            //    task terminal and acknowledges it, so the outcome stands once.
            if (outcome.Kind == OutcomeKind.Cancelled && !cancel.IsCancellationRequested)
            {
                // Shut down before it could finish: back to the queue, not counted as an attempt, and
                // the message handed back so another worker takes it at once.
                await WriteAsync(() => store.HandBackAsync(id, runToken, identity.Id, time.GetUtcNow(), CancellationToken.None));
                LogHandedBack(logger, id, name);
                await msg.NakAsync(cancellationToken: CancellationToken.None);
                return;
            }
            if (outcome.Kind is OutcomeKind.Failed or OutcomeKind.TimedOut && outcome.Retryable && attempt < decision.MaxAttempts)
            {
                var delay = registration.Definition.Retry.DelayAfter(attempt, Random.Shared.NextDouble());
                await WriteAsync(() => store.ScheduleRetryAsync(id, attempt, outcome.Error!, delay, identity.Id, time.GetUtcNow(), CancellationToken.None));
                LogRetrying(logger, id, name, attempt, delay, outcome.Error);
                TaskMetrics.RecordRetried(name, registry.Pool);
                await msg.NakAsync(new AckOpts { NakDelay = delay }, CancellationToken.None);
                return;
            }

            var result = outcome.Result is null ? null : Encoding.UTF8.GetString(outcome.Result);
            bool recorded;
            try
            {
                recorded = await WriteAsync(() => store.FinishAsync(id, outcome.State, result, outcome.Error, identity.Id, runToken, time.GetUtcNow(), CancellationToken.None));
            }
            catch (TaskWriteRejectedException ex) when (result is not null)
            {
                // The handler's result is something the store cannot hold: the task fails, saying why,
                // instead of staying running with an outcome nobody can read.
                outcome = new TaskOutcome(OutcomeKind.Failed, Error: $"the result could not be stored: {ex.InnerException?.Message ?? ex.Message}");
                recorded = await WriteAsync(() => store.FinishAsync(id, TaskState.Failed, null, outcome.Error, identity.Id, runToken, time.GetUtcNow(), CancellationToken.None));
            }
            if (recorded)
            {
                TaskMetrics.RecordFinished(name, registry.Pool, outcome.State);
            }
            if (recorded && outcome.State == TaskState.Failed)
            {
                await DeadLetterAsync(msg, name, outcome.Error!, attempt, decision.Tenant);
                await msg.AckTerminateAsync(cancellationToken: CancellationToken.None);
            }
            else
            {
                // Completed or cancelled; or a failure that was not recorded because another delivery
                // or a cancellation finished the task first, so there is nothing to dead-letter.
                await msg.AckAsync(cancellationToken: CancellationToken.None);
            }
            await AnnounceDoneAsync(id);
        }
        finally
        {
            running.Unregister(id, cancel);
        }
    }

    private async Task GiveUpAsync(INatsJSMsg<byte[]> msg, Guid id, string name, string error, int attempts, string? tenant = null)
    {
        if (!await WriteAsync(() => store.FinishAsync(id, TaskState.Failed, null, error, identity.Id, runToken: null, time.GetUtcNow(), CancellationToken.None)))
        {
            // A late copy of a task that already finished (say, its ack was lost): nothing to give up on.
            await msg.AckAsync(cancellationToken: CancellationToken.None);
            return;
        }
        LogGivingUp(logger, id, name, error);
        TaskMetrics.RecordFinished(name, registry.Pool, TaskState.Failed);
        await DeadLetterAsync(msg, name, error, attempts, tenant);
        await msg.AckTerminateAsync(cancellationToken: CancellationToken.None);
        await AnnounceDoneAsync(id);
    }

    /// <summary>The task's last message, with its error, attempts and tenant (from its row: the queued message does not carry it).</summary>
    private async Task DeadLetterAsync(INatsJSMsg<byte[]> msg, string name, string error, int attempts, string? tenant)
    {
        var headers = new NatsHeaders();
        foreach (var (key, value) in msg.Headers ?? [])
        {
            headers[key] = value;
        }
        headers[TaskHeaders.Error] = error.Length > 1024 ? error[..1024] : error;
        headers[TaskHeaders.Attempts] = attempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (tenant is not null)
        {
            headers[TaskHeaders.Tenant] = tenant;
        }
        var ack = await js.PublishAsync(Subjects.DeadLetter(registry.Pool, name), msg.Data, headers: headers, cancellationToken: CancellationToken.None);
        ack.EnsureSuccess();
        TaskMetrics.RecordDeadLettered(name, registry.Pool);
    }

    private async Task AnnounceDoneAsync(Guid id)
    {
        try
        {
            await nats.PublishAsync(Subjects.Done(id), cancellationToken: CancellationToken.None);
        }
        catch (NatsException ex)
        {
            // Only long-polls listen; they also re-read the store on their own.
            LogAnnounceFailed(logger, id, ex);
        }
    }

    /// <summary>
    /// In-progress acks while the task runs. A failed one (broker restarting) is logged and the beat
    /// goes on: once the connection is back the server takes them again, even after a redelivery.
    /// </summary>
    private async Task HeartbeatAsync(INatsJSMsg<byte[]> msg, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.HeartbeatInterval, time, cancellationToken);
                try
                {
                    await msg.AckProgressAsync(cancellationToken: cancellationToken);
                }
                catch (NatsException ex)
                {
                    LogHeartbeatFailed(logger, msg.Subject, ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Progress is best effort: one try, and a failure never reaches the handler.</summary>
    private async Task ReportProgressAsync(Guid id, double fraction, string? message, CancellationToken cancellationToken)
    {
        try
        {
            await store.ReportProgressAsync(id, fraction, message, cancellationToken);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogProgressLost(logger, id, ex.Message);
        }
    }

    /// <summary>
    /// State writes are retried for as long as the database is away: a completion is never dropped, and
    /// a task is never left <c>running</c> by a live worker that gave up recording it. Only shutdown, once
    /// the drain time is up, ends the retries; the message is then redelivered to a worker that takes
    /// the task over when this one's lease runs out.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<Task<T>> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await write();
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException && !_abort.IsCancellationRequested)
            {
                if (attempt % 10 == 0)
                {
                    LogWriteRetrying(logger, attempt, ex.Message);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, attempt - 1), 5000)), time, _abort.Token);
            }
        }
    }

    private static bool TryReadTask(INatsJSMsg<byte[]> msg, out Guid id, out string name)
    {
        id = Guid.Empty;
        name = "";
        if (msg.Headers is null
            || !msg.Headers.TryGetValue(TaskHeaders.TaskId, out var idValue)
            || !msg.Headers.TryGetValue(TaskHeaders.TaskName, out var nameValue)
            || !Guid.TryParse(idValue.ToString(), out id))
        {
            return false;
        }
        name = nameValue.ToString();
        return TaskDefinition.IsValidName(name);
    }

    private static Activity? StartActivity(INatsJSMsg<byte[]> msg, string name, Guid id)
    {
        ActivityContext parent = default;
        if (msg.Headers is not null && msg.Headers.TryGetValue(TaskHeaders.TraceParent, out var traceParent))
        {
            msg.Headers.TryGetValue(TaskHeaders.TraceState, out var traceState);
            ActivityContext.TryParse(traceParent.ToString(), traceState.ToString(), out parent);
        }
        var activity = NeutrinoTelemetry.Source.StartActivity($"run {name}", ActivityKind.Consumer, parent);
        activity?.SetTag("neutrino.task.id", id.ToString());
        activity?.SetTag("neutrino.task.name", name);
        return activity;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: no new tasks; {Running} running tasks have {Drain} to finish before they are handed back")]
    private static partial void LogDraining(ILogger logger, int running, TimeSpan drain);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool {Pool} consuming with {Concurrency} slots")]
    private static partial void LogConsuming(ILogger logger, string pool, int concurrency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pool {Pool} lost its consumers; binding again")]
    private static partial void LogConsumeFailed(ILogger logger, string pool, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing {Subject} failed; the message will be redelivered")]
    private static partial void LogProcessFailed(ILogger logger, string subject, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message on {Subject} has no valid task headers; terminated")]
    private static partial void LogMalformed(ILogger logger, string subject);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} ({Name}) is held by live worker {Holder}; this delivery leaves it alone")]
    private static partial void LogHeld(ILogger logger, Guid taskId, string name, string? holder);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} ({Name}) has a message but no record; terminated")]
    private static partial void LogUnrecorded(ILogger logger, Guid taskId, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} ({Name}) failed for good: {Error}")]
    private static partial void LogGivingUp(ILogger logger, Guid taskId, string name, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} ({Name}) attempt {Attempt} failed; retrying in {Delay}: {Error}")]
    private static partial void LogRetrying(ILogger logger, Guid taskId, string name, int attempt, TimeSpan delay, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} ({Name}) handed back at shutdown")]
    private static partial void LogHandedBack(ILogger logger, Guid taskId, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat for {Subject} failed; trying again at the next beat")]
    private static partial void LogHeartbeatFailed(ILogger logger, string subject, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A task state write has failed {Attempts} times; still retrying: {Reason}")]
    private static partial void LogWriteRetrying(ILogger logger, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Progress of {TaskId} not recorded: {Reason}")]
    private static partial void LogProgressLost(ILogger logger, Guid taskId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not announce completion of {TaskId}")]
    private static partial void LogAnnounceFailed(ILogger logger, Guid taskId, Exception error);
}
