using System.Text.Json;

namespace Neutrino.Core.Workers;

/// <summary>
/// Base class of a task handler with typed args and result, serialised as snake_case JSON.
/// Register it in a pool with <see cref="PoolBuilder.AddTask{THandler}"/>.
/// </summary>
public abstract class TaskHandler<TArgs, TResult> : ITaskHandler
{
    public abstract Task<TResult> RunAsync(TArgs args, TaskContext context, CancellationToken cancellationToken);

    async Task<byte[]> ITaskHandler.InvokeAsync(ReadOnlyMemory<byte> args, TaskContext context, CancellationToken cancellationToken)
    {
        TArgs typed;
        try
        {
            typed = JsonSerializer.Deserialize<TArgs>(args.Span, TaskJson.Options)
                ?? throw new TaskArgumentException($"Task '{context.Name}' needs args.");
        }
        catch (JsonException ex)
        {
            throw new TaskArgumentException($"Invalid args for task '{context.Name}': {ex.Message}", ex);
        }
        var result = await RunAsync(typed, context, cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(result, TaskJson.Options);
    }
}
