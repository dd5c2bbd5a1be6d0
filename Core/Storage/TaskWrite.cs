using Npgsql;

namespace Neutrino.Core.Storage;

/// <summary>
/// One conditional statement waiting for the next group commit. Most statements return a row
/// exactly when they changed something, so a row tells the caller whether the transition happened
/// or was refused (the task had already moved on); some return a row that says what they decided.
/// </summary>
internal sealed class TaskWrite(string operation, string sql, NpgsqlParameter[] parameters)
{
    private readonly TaskCompletionSource<object?[]?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What the statement does to the task ("finish", "start attempt"): its span's name.</summary>
    public string Operation { get; } = operation;

    public string Sql { get; } = sql;

    public NpgsqlParameter[] Parameters { get; } = parameters;

    /// <summary>The statement's first row (database nulls as null), or null when it returned none.</summary>
    public Task<object?[]?> Row => _done.Task;

    /// <summary>How many statements its group commit had (0 until it ran).</summary>
    public int BatchSize { get; private set; }

    public void Complete(object?[]? row, int batchSize)
    {
        BatchSize = batchSize;
        _done.TrySetResult(row);
    }

    public void Fail(Exception error) => _done.TrySetException(error);
}
