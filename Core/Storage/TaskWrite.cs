using Npgsql;

namespace Neutrino.Core.Storage;

/// <summary>
/// One conditional statement waiting for the next group commit. Its statement returns a row
/// exactly when it changed something, so <see cref="Applied"/> tells the caller whether the
/// transition happened or was refused (the task had already moved on).
/// </summary>
internal sealed class TaskWrite(string sql, NpgsqlParameter[] parameters)
{
    private readonly TaskCompletionSource<bool> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Sql { get; } = sql;

    public NpgsqlParameter[] Parameters { get; } = parameters;

    public Task<bool> Applied => _done.Task;

    public void Complete(bool applied) => _done.TrySetResult(applied);

    public void Fail(Exception error) => _done.TrySetException(error);
}
