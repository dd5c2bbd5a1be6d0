using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Neutrino.Embeddings.Models;
using Neutrino.Embeddings.Runtime;

namespace Neutrino.Embeddings.Batching;

/// <summary>
/// Dynamic batching for one model. Inputs from concurrent requests queue here; a loop takes what
/// is waiting, sorts it by length so inputs of a batch pad little, cuts it into batches under
/// the size and token limits, runs them, and hands each input its vector. Several loops run
/// batches side by side (<see cref="EmbeddingOptions.ConcurrentBatches"/>), and while batches run
/// the next one gathers by itself. Only an idle model with other requests coming gives a new batch
/// up to <see cref="EmbeddingOptions.MaxBatchWait"/> for company; a lone request (one client, or
/// sparse traffic) runs at once. The queue is bounded; an input whose request was
/// cancelled is dropped before it runs.
/// </summary>
internal sealed partial class ModelBatcher : IAsyncDisposable
{
    private readonly string _model;
    private readonly Func<ModelLease> _acquire;
    private readonly EmbeddingOptions _options;
    private readonly EmbeddingMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>();
    private readonly Task[] _loops;
    private int _queued;
    private int _requests;
    private int _runningBatches;

    public ModelBatcher(string model, Func<ModelLease> acquire, EmbeddingOptions options, EmbeddingMetrics metrics, TimeProvider time, ILogger logger)
    {
        _model = model;
        _acquire = acquire;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        // One loop per concurrent batch: while one runs its batch, another gathers and runs the next.
        _loops = [.. Enumerable.Range(0, options.EffectiveConcurrentBatches).Select(_ => Task.Run(LoopAsync))];
    }

    /// <summary>Inputs waiting now.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>The vectors of <paramref name="inputs"/> (token ids, none empty, none over the limit), in order.</summary>
    public async Task<float[][]> EmbedAsync(IReadOnlyList<int[]> inputs, CancellationToken cancellationToken)
    {
        if (Interlocked.Add(ref _queued, inputs.Count) > _options.MaxQueuedInputs)
        {
            Interlocked.Add(ref _queued, -inputs.Count);
            throw new EmbeddingException(EmbeddingErrorKind.Overloaded,
                $"Model '{_model}' has {_options.MaxQueuedInputs} inputs waiting already; retry shortly.", code: "overloaded");
        }
        // Other requests under way: more are likely to come, so a batch may wait a little for them.
        var busy = Interlocked.Increment(ref _requests) > 1;
        // The request's span: its inputs' inference spans, in whichever batches they ride, are its children.
        using var activity = EmbeddingTelemetry.Source.StartActivity($"embed {_model}");
        activity?.SetTag("neutrino.embeddings.inputs", inputs.Count);
        try
        {
            var items = new WorkItem[inputs.Count];
            var now = _time.GetTimestamp();
            var parent = activity?.Context ?? default;
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = new WorkItem(inputs[i], now, busy, parent);
                _queue.Writer.TryWrite(items[i]);
            }
            await using var cancel = cancellationToken.Register(() =>
            {
                foreach (var item in items)
                {
                    item.Cancel();
                }
            });
            return await Task.WhenAll(items.Select(i => i.Vector));
        }
        finally
        {
            Interlocked.Decrement(ref _requests);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_loops);
    }

    private async Task LoopAsync()
    {
        var reader = _queue.Reader;
        var pending = new List<WorkItem>();
        var window = _options.MaxBatchSize * 4;
        while (await reader.WaitToReadAsync())
        {
            pending.Clear();
            while (pending.Count < window && reader.TryRead(out var item))
            {
                pending.Add(item);
            }
            // An idle model facing a burst waits a little for the rest of it, never longer than the first
            // input's allowance. While other batches run, more inputs gather anyway: no wait then.
            while (pending.Count < _options.MaxBatchSize && pending.Exists(i => i.ArrivedInBusyTraffic) && Volatile.Read(ref _runningBatches) == 0
                && _time.GetElapsedTime(pending[0].EnqueuedAt) is var age && age < _options.MaxBatchWait)
            {
                using var wait = new CancellationTokenSource(_options.MaxBatchWait - age, _time);
                try
                {
                    if (!await reader.WaitToReadAsync(wait.Token))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                while (pending.Count < window && reader.TryRead(out var item))
                {
                    pending.Add(item);
                }
            }
            Interlocked.Add(ref _queued, -pending.Count);

            var live = pending.Where(i => i.TryStart()).OrderBy(i => i.Ids.Length).ToList();
            foreach (var batch in BatchPlan.Split(live, i => i.Ids.Length, _options))
            {
                Run(batch);
            }
        }
    }

    private void Run(List<WorkItem> batch)
    {
        var started = _time.GetTimestamp();
        var startedAt = _time.GetUtcNow();
        var (waitSum, waitMax) = (TimeSpan.Zero, TimeSpan.Zero);
        foreach (var item in batch)
        {
            var waited = _time.GetElapsedTime(item.EnqueuedAt, started);
            _metrics.RecordWait(_model, waited);
            (waitSum, waitMax) = (waitSum + waited, waited > waitMax ? waited : waitMax);
        }
        Interlocked.Increment(ref _runningBatches);
        try
        {
            using var lease = _acquire();
            var vectors = lease.Model.Run([.. batch.Select(i => i.Ids)]);
            var tokens = batch.Sum(i => (long)i.Ids.Length);
            _metrics.RecordBatch(_model, batch.Count, tokens, _time.GetElapsedTime(started), waitSum, waitMax);
            TraceInference(batch, startedAt, tokens);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Complete(vectors[i]);
            }
        }
#pragma warning disable CA1031 // A failed run fails its own inputs' requests; the loop serves the next batch.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogRunFailed(_logger, _model, batch.Count, ex);
            foreach (var item in batch)
            {
                item.Fail(ex);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _runningBatches);
        }
    }

    /// <summary>
    /// One batch serves many requests: each request whose inputs rode it gets an inference span of
    /// the batch's run in its own trace, tagged with the batch's size.
    /// </summary>
    private void TraceInference(List<WorkItem> batch, DateTimeOffset startedAt, long tokens)
    {
        if (!EmbeddingTelemetry.Source.HasListeners())
        {
            return;
        }
        var endedAt = _time.GetUtcNow();
        foreach (var request in batch.Where(i => i.Parent != default).GroupBy(i => i.Parent))
        {
            using var span = EmbeddingTelemetry.Source.StartActivity($"inference {_model}", ActivityKind.Internal, request.Key, startTime: startedAt);
            span?.SetTag("neutrino.embeddings.batch.size", batch.Count);
            span?.SetTag("neutrino.embeddings.batch.tokens", tokens);
            span?.SetTag("neutrino.embeddings.inputs", request.Count());
            span?.SetEndTime(endedAt.UtcDateTime);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model} failed on a batch of {Count} inputs")]
    private static partial void LogRunFailed(ILogger logger, string model, int count, Exception error);

    private sealed class WorkItem(int[] ids, long enqueuedAt, bool arrivedInBusyTraffic, ActivityContext parent)
    {
        private const int Waiting = 0, Started = 1, Cancelled = 2;
        private readonly TaskCompletionSource<float[]> _vector = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _state;

        public int[] Ids { get; } = ids;

        public long EnqueuedAt { get; } = enqueuedAt;

        /// <summary>Whether other requests were under way when it came: company is likely.</summary>
        public bool ArrivedInBusyTraffic { get; } = arrivedInBusyTraffic;

        public Task<float[]> Vector => _vector.Task;

        /// <summary>The span of the request it came with (none when nothing records traces).</summary>
        public ActivityContext Parent { get; } = parent;

        /// <summary>False when the request was cancelled first: the input is dropped.</summary>
        public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Waiting) == Waiting;

        public void Cancel()
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Waiting) == Waiting)
            {
                _vector.TrySetCanceled();
            }
        }

        public void Complete(float[] vector) => _vector.TrySetResult(vector);

        public void Fail(Exception error) => _vector.TrySetException(error);
    }
}
