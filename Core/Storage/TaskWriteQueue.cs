using System.Threading.Channels;

namespace Neutrino.Core.Storage;

/// <summary>The writes waiting for <see cref="TaskWriteFlusher"/>; bounded, so a slow database slows callers down instead of growing memory.</summary>
internal sealed class TaskWriteQueue
{
    private readonly Channel<TaskWrite> _channel = Channel.CreateBounded<TaskWrite>(
        new BoundedChannelOptions(20_000) { FullMode = BoundedChannelFullMode.Wait });

    public ChannelReader<TaskWrite> Reader => _channel.Reader;

    public async Task<object?[]?> SubmitAsync(TaskWrite write, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.Writer.WriteAsync(write, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The task store is shutting down and takes no more writes.");
        }
        // The statement runs even if the caller stops waiting: a write handed over is never dropped.
        return await write.Row.WaitAsync(cancellationToken);
    }

    public void Complete() => _channel.Writer.TryComplete();
}
