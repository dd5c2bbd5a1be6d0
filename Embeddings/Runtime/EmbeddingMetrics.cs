using System.Diagnostics.Metrics;

namespace Neutrino.Embeddings.Runtime;

/// <summary>Batch size, queue wait, inference time and tokens, per model (tag <c>model</c>).</summary>
internal sealed class EmbeddingMetrics
{
    public const string MeterName = "Neutrino.Embeddings";

    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _inference;
    private readonly Counter<long> _tokens;
    private readonly Counter<long> _inputs;

    /// <summary>The last minute per model, for the dashboard (through the worker's liveness report).</summary>
    public EmbeddingActivity Recent { get; }

    public EmbeddingMetrics(IMeterFactory meters, TimeProvider time)
    {
        Recent = new EmbeddingActivity(time);
        var meter = meters.Create(MeterName);
        _batchSize = meter.CreateHistogram<int>("neutrino.embeddings.batch.size", "{input}", "Inputs per model run");
        _queueWait = meter.CreateHistogram<double>("neutrino.embeddings.queue.wait", "s", "Time an input waited for its batch");
        _inference = meter.CreateHistogram<double>("neutrino.embeddings.inference.duration", "s", "Time of one model run");
        _tokens = meter.CreateCounter<long>("neutrino.embeddings.tokens", "{token}", "Tokens embedded (its rate is tokens per second)");
        _inputs = meter.CreateCounter<long>("neutrino.embeddings.inputs", "{input}", "Inputs embedded");
    }

    public void RecordBatch(string model, int inputs, long tokens, TimeSpan inference, TimeSpan waitSum, TimeSpan waitMax)
    {
        Recent.Record(model, inputs, tokens, waitSum, waitMax);
        var tag = new KeyValuePair<string, object?>("model", model);
        _batchSize.Record(inputs, tag);
        _inference.Record(inference.TotalSeconds, tag);
        _tokens.Add(tokens, tag);
        _inputs.Add(inputs, tag);
    }

    public void RecordWait(string model, TimeSpan wait) => _queueWait.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("model", model));
}
