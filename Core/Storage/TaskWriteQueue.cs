using System.Diagnostics;
using System.Threading.Channels;
using Neutrino.Core.Telemetry;

namespace Neutrino.Core.Storage;

/// <summary>The writes waiting for <see cref="TaskWriteFlusher"/>; bounded, so a slow database slows callers down instead of growing memory.</summary>
internal sealed class TaskWriteQueue
{
    private readonly Channel<TaskWrite> _channel = Channel.CreateBounded<TaskWrite>(
        new BoundedChannelOptions(20_000) { FullMode = BoundedChannelFullMode.Wait });

    public ChannelReader<TaskWrite> Reader => _channel.Reader;

    public async Task<object?[]?> SubmitAsync(TaskWrite write, CancellationToken cancellationToken)
    {
        // The write's span, in the trace of the task or request it is for: it waits for and rides a
        // group commit shared with other tasks' writes, which has no trace of its own.
        using var activity = Activity.Current is null ? null : NeutrinoTelemetry.Source.StartActivity($"store {write.Operation}", ActivityKind.Client);
        activity?.SetTag("db.system.name", "postgresql");
        activity?.SetTag("db.operation.name", write.Operation);
        try
        {
            await _channel.Writer.WriteAsync(write, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The task store is shutting down and takes no more writes.");
        }
        // The statement runs even if the caller stops waiting: a write handed over is never dropped.
        try
        {
            var row = await write.Row.WaitAsync(cancellationToken);
            activity?.SetTag("neutrino.store.batch_size", write.BatchSize);
            return row;
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    public void Complete() => _channel.Writer.TryComplete();
}
