using Npgsql;

namespace Neutrino.Core.Storage;

/// <summary>
/// One conditional statement waiting for the next group commit. Most statements return a row
/// exactly when they changed something, so a row tells the caller whether the transition happened
/// or was refused (the task had already moved on); some return a row that says what they decided.
/// </summary>
internal sealed class TaskWrite(string sql, NpgsqlParameter[] parameters)
{
    private readonly TaskCompletionSource<object?[]?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Sql { get; } = sql;

    public NpgsqlParameter[] Parameters { get; } = parameters;

    /// <summary>The statement's first row (database nulls as null), or null when it returned none.</summary>
    public Task<object?[]?> Row => _done.Task;

    public void Complete(object?[]? row) => _done.TrySetResult(row);

    public void Fail(Exception error) => _done.TrySetException(error);
}
