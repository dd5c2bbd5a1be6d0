using Neutrino.Core.Tasks;
using Npgsql;
using NpgsqlTypes;

namespace Neutrino.Core.Storage;

/// <summary>
/// Every state change of a task. Each one is a conditional update that only moves a task
/// forward, paired with its history event in the same statement, so a redelivered message or a
/// retried write can never move a finished task back or write an event twice. Writes are
/// grouped with those of concurrent tasks (see <see cref="TaskWriteFlusher"/>).
/// </summary>
public sealed class TaskStore
{
    private const string Open = "status IN ('queued','running')";

    private const string InsertQueuedSql = """
        WITH ins AS (
            INSERT INTO tasks (id, name, mode, pool, status, priority, args, attempts, max_attempts, created_at, tenant, trace_id, submitted_by, idempotency_key)
            VALUES ($1, $2, $3, $4, 'queued', $5, $6, 0, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (id) DO NOTHING
            RETURNING id, created_at)
        INSERT INTO task_events (task_id, status, attempt, at) SELECT id, 'queued', 0, created_at FROM ins
        RETURNING task_id
        """;

    private const string InsertSyncSql = """
        WITH ins AS (
            INSERT INTO tasks (id, name, mode, pool, status, priority, args, result, error, attempts, max_attempts,
                               progress, created_at, started_at, completed_at, worker_id, tenant, trace_id, submitted_by, idempotency_key)
            VALUES ($1, $2, 'sync', 'fast', $3, $4, $5, $6, $7, 1, 1, 1, $8, $8, $9, $10, $11, $12, $13, $14)
            ON CONFLICT (id) DO NOTHING
            RETURNING id)
        INSERT INTO task_events (task_id, status, attempt, at, worker_id, detail)
        SELECT id, e.status, 1, e.at, $10, e.detail FROM ins,
            (VALUES ('running', $8, NULL), ($3, $9, $7)) AS e(status, at, detail)
        RETURNING task_id
        """;

    // Decides, under the row's lock, what a delivery of the task's message may do (see StartDecision),
    // and starts the next attempt when it may. A live holder keeps its task from other workers; a
    // delivery to the holder itself means its run there is over (a process never asks to start a task
    // it is running), so the attempt it could not record is taken over like a lost worker's. The attempt number is the row's, not the message's
    // delivery count: hand-backs and duplicate copies do not use up attempts.
    private const string StartSql = """
        WITH cur AS (
            SELECT t.id, t.status, t.attempts, t.max_attempts, t.worker_id, t.run_token, t.cancel_requested_at, t.tenant,
                   (t.worker_id IS NULL OR NOT EXISTS (
                       SELECT 1 FROM workers w WHERE w.id = t.worker_id AND w.last_seen_at > now() - $5)) AS holder_gone
            FROM tasks t WHERE t.id = $1 FOR UPDATE),
        verdict AS (
            SELECT cur.*, CASE
                WHEN status = 'running' AND run_token = $4 THEN 'started'
                WHEN status NOT IN ('queued', 'running') THEN 'finished'
                WHEN status = 'running' AND NOT holder_gone AND worker_id <> $3 THEN 'held'
                WHEN cancel_requested_at IS NOT NULL THEN 'cancel'
                WHEN attempts >= max_attempts THEN 'exhausted'
                ELSE 'start' END AS decision
            FROM cur),
        upd AS (
            UPDATE tasks t SET status = 'running', attempts = v.attempts + 1, started_at = $2, worker_id = $3, run_token = $4,
                               progress = NULL, progress_message = NULL
            FROM verdict v WHERE t.id = v.id AND v.decision = 'start'
            RETURNING t.id, t.attempts),
        ev AS (
            INSERT INTO task_events (task_id, status, attempt, at, worker_id, detail)
            SELECT upd.id, 'running', upd.attempts, $2, $3,
                   CASE WHEN v.status = 'running' THEN 'taken over: worker ' || v.worker_id || ' stopped answering during attempt ' || v.attempts END
            FROM upd JOIN verdict v ON v.id = upd.id)
        SELECT CASE decision WHEN 'start' THEN 'started' ELSE decision END,
               CASE decision WHEN 'start' THEN attempts + 1 ELSE attempts END,
               max_attempts,
               CASE decision WHEN 'start' THEN $3 ELSE worker_id END,
               tenant
        FROM verdict
        """;

    // Shutdown came before the attempt could finish: the task goes back to the queue and the attempt is not counted.
    private const string HandBackSql = """
        WITH upd AS (
            UPDATE tasks SET status = 'queued', attempts = attempts - 1, worker_id = NULL, run_token = NULL,
                             progress = NULL, progress_message = NULL
            WHERE id = $1 AND status = 'running' AND run_token = $2
            RETURNING id, attempts)
        INSERT INTO task_events (task_id, status, attempt, at, worker_id, detail)
        SELECT id, 'queued', attempts, $3, $4, 'handed back: its worker stopped before the attempt finished; the attempt does not count' FROM upd
        RETURNING task_id
        """;

    private const string RetrySql = """
        WITH upd AS (
            UPDATE tasks SET status = 'queued', error = $3
            WHERE id = $1 AND status = 'running' AND attempts = $2
            RETURNING id)
        INSERT INTO task_events (task_id, status, attempt, at, worker_id, detail) SELECT id, 'queued', $2, $4, $5, $6 FROM upd
        RETURNING task_id
        """;

    private const string FinishSql = $"""
        WITH upd AS (
            UPDATE tasks SET status = $2, result = $3, error = $4, completed_at = $5,
                             progress = CASE WHEN $2 = 'completed' THEN 1 ELSE progress END
            WHERE id = $1 AND {Open} AND ($7::text IS NULL OR run_token = $7)
            RETURNING id, attempts)
        INSERT INTO task_events (task_id, status, attempt, at, worker_id, detail) SELECT id, $2, attempts, $5, $6, $4 FROM upd
        RETURNING task_id
        """;

    // A task whose message the gateway could not get acknowledged: failed only while no worker has started
    // it (a first attempt that failed and waits for its retry is queued too, with attempts above 0).
    private const string FailUnqueuedSql = """
        WITH upd AS (
            UPDATE tasks SET status = 'failed', error = $2, completed_at = $3
            WHERE id = $1 AND status = 'queued' AND attempts = 0
            RETURNING id, attempts)
        INSERT INTO task_events (task_id, status, attempt, at, detail) SELECT id, 'failed', attempts, $3, $2 FROM upd
        RETURNING task_id
        """;

    private const string CancelQueuedSql = """
        WITH upd AS (
            UPDATE tasks SET status = 'cancelled', completed_at = $2, cancel_requested_at = $2
            WHERE id = $1 AND status = 'queued'
            RETURNING id, attempts)
        INSERT INTO task_events (task_id, status, attempt, at, detail) SELECT id, 'cancelled', attempts, $2, 'cancelled before it ran' || coalesce(', by ' || $3, '') FROM upd
        RETURNING task_id
        """;

    // The task stays running until its handler stops; the request is in its history (not a state of its own).
    private const string RequestCancelSql = """
        WITH upd AS (
            UPDATE tasks SET cancel_requested_at = $2
            WHERE id = $1 AND status = 'running' AND cancel_requested_at IS NULL
            RETURNING id, attempts, worker_id)
        INSERT INTO task_events (task_id, status, attempt, at, worker_id, detail)
        SELECT id, 'cancel_requested', attempts, $2, worker_id, 'asked to stop while running' || coalesce(', by ' || $3, '') FROM upd
        RETURNING task_id
        """;

    // A task whose cancellation was asked while it ran, found again by a worker (its first worker died).
    private const string CancelRequestedSql = $"""
        WITH upd AS (
            UPDATE tasks SET status = 'cancelled', completed_at = $2
            WHERE id = $1 AND {Open} AND cancel_requested_at IS NOT NULL
            RETURNING id, attempts)
        INSERT INTO task_events (task_id, status, attempt, at, worker_id, detail) SELECT id, 'cancelled', attempts, $2, $3, 'cancelled' FROM upd
        RETURNING task_id
        """;

    // The one move back: a failed task starts a new attempt series on request. Its history keeps the old one.
    private const string RequeueFailedSql = """
        WITH upd AS (
            UPDATE tasks SET status = 'queued', attempts = 0, result = NULL, error = NULL, started_at = NULL, completed_at = NULL,
                             progress = NULL, progress_message = NULL, worker_id = NULL, cancel_requested_at = NULL
            WHERE id = $1 AND status = 'failed' AND mode <> 'sync'
            RETURNING id)
        INSERT INTO task_events (task_id, status, attempt, at, detail) SELECT id, 'queued', 0, $2, 'retried on request' || coalesce(' by ' || $3, '') || ': a new series of attempts' FROM upd
        RETURNING task_id
        """;

    private const string ProgressSql = """
        UPDATE tasks SET progress = $2, progress_message = $3
        WHERE id = $1 AND status = 'running'
        RETURNING id
        """;

    private readonly TaskWriteQueue _queue;

    internal TaskStore(TaskWriteQueue queue) => _queue = queue;

    public Task<bool> InsertQueuedAsync(NewTask task, CancellationToken cancellationToken) =>
        Submit("insert queued", InsertQueuedSql, cancellationToken,
            Uuid(task.Id), Text(task.Name), Text(task.Mode), Text(task.Pool), Text(task.Priority), Json(task.Args),
            Int(task.MaxAttempts), Time(task.CreatedAt), Text(task.Tenant), Text(task.TraceId), FreeText(task.SubmittedBy), FreeText(task.IdempotencyKey));

    public Task<bool> InsertSyncAsync(SyncExecution run, CancellationToken cancellationToken) =>
        Submit("insert sync", InsertSyncSql, cancellationToken,
            Uuid(run.Id), Text(run.Name), Text(run.Status), Text(run.Priority), Json(run.Args), Json(run.Result),
            FreeText(run.Error), Time(run.StartedAt), Time(run.CompletedAt), Text(run.WorkerId), Text(run.Tenant), Text(run.TraceId),
            FreeText(run.SubmittedBy), FreeText(run.IdempotencyKey));

    /// <summary>
    /// Starts the next attempt for this delivery (<paramref name="runToken"/> names it), or says why
    /// it may not. A task still running on a worker seen within <paramref name="lease"/> is held by
    /// that worker: a second delivery (say, after its heartbeats were lost) does not run it again.
    /// </summary>
    public async Task<StartDecision> TryStartAsync(Guid id, string runToken, string workerId, TimeSpan lease, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var row = await _queue.SubmitAsync(
            new TaskWrite("start attempt", StartSql, [Uuid(id), Time(at), Text(workerId), Text(runToken), new NpgsqlParameter { Value = lease, NpgsqlDbType = NpgsqlDbType.Interval }]),
            cancellationToken);
        return row is null
            ? new StartDecision(StartVerdict.Missing, 0, 0, null)
            : new StartDecision(StartDecision.Parse((string)row[0]!), (int)row[1]!, (int)row[2]!, (string?)row[3], (string?)row[4]);
    }

    /// <summary>Puts a task whose attempt was interrupted by shutdown back in the queue; the attempt does not count.</summary>
    public Task<bool> HandBackAsync(Guid id, string runToken, string workerId, DateTimeOffset at, CancellationToken cancellationToken) =>
        Submit("hand back", HandBackSql, cancellationToken, Uuid(id), Text(runToken), Time(at), Text(workerId));

    public Task<bool> ScheduleRetryAsync(Guid id, int attempt, string error, TimeSpan delay, string workerId, DateTimeOffset at, CancellationToken cancellationToken) =>
        Submit("schedule retry", RetrySql, cancellationToken,
            Uuid(id), Int(attempt), FreeText(error), Time(at), Text(workerId),
            FreeText($"attempt {attempt} failed, retrying in {delay.TotalSeconds:0.###} s: {error}"));

    /// <summary>
    /// Moves an open task to a terminal state; false when it was already terminal, or when
    /// <paramref name="runToken"/> names a run that is no longer the task's (a stale run never
    /// overwrites the outcome of the one that took the task over). Null: whoever holds it.
    /// </summary>
    public Task<bool> FinishAsync(Guid id, TaskState state, string? result, string? error, string? workerId, string? runToken, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!state.IsTerminal())
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "Finish takes a terminal state.");
        }
        return Submit("finish", FinishSql, cancellationToken, Uuid(id), Text(WireNames.Of(state)), Json(result), FreeText(error), Time(at), Text(workerId), Text(runToken));
    }

    /// <summary>
    /// Fails a queued task whose publish was not acknowledged, unless a worker has started it already: a
    /// publish that timed out may still have been stored (a stream leader that took it and died before
    /// answering; the next leader keeps it). False when the task had left <c>queued</c>: it was queued after all.
    /// </summary>
    public Task<bool> FailUnqueuedAsync(Guid id, string error, DateTimeOffset at, CancellationToken cancellationToken) =>
        Submit("fail unqueued", FailUnqueuedSql, cancellationToken, Uuid(id), FreeText(error), Time(at));

    /// <summary>Cancels a task that has not started; <paramref name="by"/> (who asked) goes into its history.</summary>
    public Task<bool> CancelQueuedAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken, string? by = null) =>
        Submit("cancel queued", CancelQueuedSql, cancellationToken, Uuid(id), Time(at), FreeText(by));

    /// <summary>Asks a running task to stop; <paramref name="by"/> (who asked) goes into its history.</summary>
    public Task<bool> RequestCancelAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken, string? by = null) =>
        Submit("request cancel", RequestCancelSql, cancellationToken, Uuid(id), Time(at), FreeText(by));

    public Task<bool> CancelIfRequestedAsync(Guid id, string workerId, DateTimeOffset at, CancellationToken cancellationToken) =>
        Submit("cancel requested", CancelRequestedSql, cancellationToken, Uuid(id), Time(at), Text(workerId));

    /// <summary>Re-queues a failed queued task for a new series of attempts; false unless it was failed.</summary>
    public Task<bool> RequeueFailedAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken, string? by = null) =>
        Submit("requeue failed", RequeueFailedSql, cancellationToken, Uuid(id), Time(at), FreeText(by));

    public Task<bool> ReportProgressAsync(Guid id, double progress, string? message, CancellationToken cancellationToken) =>
        Submit("report progress", ProgressSql, cancellationToken, Uuid(id), new NpgsqlParameter { Value = progress, NpgsqlDbType = NpgsqlDbType.Double }, FreeText(message));

    private async Task<bool> Submit(string operation, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters) =>
        await _queue.SubmitAsync(new TaskWrite(operation, sql, parameters), cancellationToken) is not null;

    private static NpgsqlParameter Uuid(Guid value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Uuid };

    private static NpgsqlParameter Int(int value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Integer };

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    /// <summary>Text from handlers and exceptions: what PostgreSQL's text cannot hold is replaced, not refused.</summary>
    private static NpgsqlParameter FreeText(string? value) => Text(StoredText.Clean(value));

    private static NpgsqlParameter Json(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb };

    private static NpgsqlParameter Time(DateTimeOffset value) => new() { Value = value.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz };
}
