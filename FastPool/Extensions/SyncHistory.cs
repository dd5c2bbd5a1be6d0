using Neutrino.Core.Storage;

namespace Neutrino.FastPool.Extensions;

/// <summary>
/// Records sync executions after the caller has its answer: the write joins the next group commit
/// and is retried while PostgreSQL is unreachable, so the request path never waits on the database.
/// </summary>
internal sealed partial class SyncHistory(TaskStore store, TimeProvider time, ILogger<SyncHistory> logger)
{
    private const int MaxAttempts = 8;

    public void Record(SyncExecution run) => _ = RecordAsync(run);

    private async Task RecordAsync(SyncExecution run)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.InsertSyncAsync(run, CancellationToken.None);
                return;
            }
            catch (TaskWriteRejectedException ex) when (run.Result is not null)
            {
                // The caller has the result; the history keeps the run without it, saying why.
                run = run with { Result = null, Error = $"the result could not be stored: {ex.InnerException?.Message ?? ex.Message}" };
            }
            catch (TaskWriteRejectedException ex)
            {
                LogLost(logger, run.Id, run.Name, ex);
                return;
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                if (attempt == MaxAttempts)
                {
                    LogLost(logger, run.Id, run.Name, ex);
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), time);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "History of sync task {TaskId} ({Name}) could not be written")]
    private static partial void LogLost(ILogger logger, Guid taskId, string name, Exception error);
}
