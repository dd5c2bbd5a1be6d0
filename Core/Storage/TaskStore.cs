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
            INSERT INTO tasks (id, name, mode, pool, status, priority, args, attempts, max_attempts, created_at)
            VALUES ($1, $2, $3, $4, 'queued', $5, $6, 0, $7, $8)
            ON CONFLICT (id) DO NOTHING
            RETURNING id, created_at)
        INSERT INTO task_events (task_id, status, attempt, at) SELECT id, 'queued', 0, created_at FROM ins
        RETURNING task_id
        """;

    private const string InsertSyncSql = """
        WITH ins AS (
            INSERT INTO tasks (id, name, mode, pool, status, priority, args, result, error, attempts, max_attempts,
                               progress, created_at, started_at, completed_at, worker_id)
            VALUES ($1, $2, 'sync', 'fast', $3, $4, $5, $6, $7, 1, 1, 1, $8, $8, $9, $10)
            ON CONFLICT (id) DO NOTHING
            RETURNING id)
        INSERT INTO task_events (task_id, status, attempt, at, worker_id, detail)
        SELECT id, e.status, 1, e.at, $10, e.detail FROM ins,
            (VALUES ('running', $8, NULL), ($3, $9, $7)) AS e(status, at, detail)
        RETURNING task_id
        """;

    // A redelivery after a crash finds the task still 'running' with an older attempt: it may start again.
    private const string StartSql = $"""
        WITH upd AS (
            UPDATE tasks SET status = 'running', attempts = $2, started_at = $3, worker_id = $4, progress = NULL, progress_message = NULL
            WHERE id = $1 AND {Open} AND attempts < $2 AND cancel_requested_at IS NULL
            RETURNING id)
        INSERT INTO task_events (task_id, status, attempt, at, worker_id) SELECT id, 'running', $2, $3, $4 FROM upd
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
            WHERE id = $1 AND {Open}
            RETURNING id, attempts)
        INSERT INTO task_events (task_id, status, attempt, at, worker_id, detail) SELECT id, $2, attempts, $5, $6, $4 FROM upd
        RETURNING task_id
        """;

    private const string CancelQueuedSql = """
        WITH upd AS (
            UPDATE tasks SET status = 'cancelled', completed_at = $2, cancel_requested_at = $2
            WHERE id = $1 AND status = 'queued'
            RETURNING id, attempts)
        INSERT INTO task_events (task_id, status, attempt, at, detail) SELECT id, 'cancelled', attempts, $2, 'cancelled before it ran' FROM upd
        RETURNING task_id
        """;

    private const string RequestCancelSql = """
        UPDATE tasks SET cancel_requested_at = $2
        WHERE id = $1 AND status = 'running' AND cancel_requested_at IS NULL
        RETURNING id
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
        INSERT INTO task_events (task_id, status, attempt, at, detail) SELECT id, 'queued', 0, $2, 'retried on request: a new series of attempts' FROM upd
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
        Submit(InsertQueuedSql, cancellationToken,
            Uuid(task.Id), Text(task.Name), Text(task.Mode), Text(task.Pool), Text(task.Priority), Json(task.Args),
            Int(task.MaxAttempts), Time(task.CreatedAt));

    public Task<bool> InsertSyncAsync(SyncExecution run, CancellationToken cancellationToken) =>
        Submit(InsertSyncSql, cancellationToken,
            Uuid(run.Id), Text(run.Name), Text(run.Status), Text(run.Priority), Json(run.Args), Json(run.Result),
            Text(run.Error), Time(run.StartedAt), Time(run.CompletedAt), Text(run.WorkerId));

    /// <summary>Marks attempt <paramref name="attempt"/> as running; false when the task is finished, cancelled or already past that attempt.</summary>
    public Task<bool> TryStartAsync(Guid id, int attempt, string workerId, DateTimeOffset at, CancellationToken cancellationToken) =>
        Submit(StartSql, cancellationToken, Uuid(id), Int(attempt), Time(at), Text(workerId));

    public Task<bool> ScheduleRetryAsync(Guid id, int attempt, string error, TimeSpan delay, string workerId, DateTimeOffset at, CancellationToken cancellationToken) =>
        Submit(RetrySql, cancellationToken,
            Uuid(id), Int(attempt), Text(error), Time(at), Text(workerId),
            Text($"attempt {attempt} failed, retrying in {delay.TotalSeconds:0.###} s: {error}"));

    /// <summary>Moves an open task to a terminal state; false when it was already terminal.</summary>
    public Task<bool> FinishAsync(Guid id, TaskState state, string? result, string? error, string? workerId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!state.IsTerminal())
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "Finish takes a terminal state.");
        }
        return Submit(FinishSql, cancellationToken, Uuid(id), Text(WireNames.Of(state)), Json(result), Text(error), Time(at), Text(workerId));
    }

    public Task<bool> CancelQueuedAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken) =>
        Submit(CancelQueuedSql, cancellationToken, Uuid(id), Time(at));

    public Task<bool> RequestCancelAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken) =>
        Submit(RequestCancelSql, cancellationToken, Uuid(id), Time(at));

    public Task<bool> CancelIfRequestedAsync(Guid id, string workerId, DateTimeOffset at, CancellationToken cancellationToken) =>
        Submit(CancelRequestedSql, cancellationToken, Uuid(id), Time(at), Text(workerId));

    /// <summary>Re-queues a failed queued task for a new series of attempts; false unless it was failed.</summary>
    public Task<bool> RequeueFailedAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken) =>
        Submit(RequeueFailedSql, cancellationToken, Uuid(id), Time(at));

    public Task<bool> ReportProgressAsync(Guid id, double progress, string? message, CancellationToken cancellationToken) =>
        Submit(ProgressSql, cancellationToken, Uuid(id), new NpgsqlParameter { Value = progress, NpgsqlDbType = NpgsqlDbType.Double }, Text(message));

    private Task<bool> Submit(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters) =>
        _queue.SubmitAsync(new TaskWrite(sql, parameters), cancellationToken);

    private static NpgsqlParameter Uuid(Guid value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Uuid };

    private static NpgsqlParameter Int(int value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Integer };

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Json(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb };

    private static NpgsqlParameter Time(DateTimeOffset value) => new() { Value = value.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz };
}
