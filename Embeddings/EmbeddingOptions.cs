using System.ComponentModel.DataAnnotations;

namespace Neutrino.Embeddings;

public enum ExecutionProvider
{
    Cpu,
    Cuda,
}

/// <summary>Bound from <c>Neutrino:Embeddings</c>.</summary>
public sealed class EmbeddingOptions
{
    public const string Section = "Neutrino:Embeddings";

    /// <summary>One folder per model, each with a <c>neutrino-model.json</c>.</summary>
    [Required]
    public string ModelsDirectory { get; set; } = "models";

    /// <summary>The model used when a request names none.</summary>
    [Required]
    public string DefaultModel { get; set; } = Models.DefaultModel.Name;

    /// <summary>Models loaded at start-up rather than on first use ("*" for all).</summary>
    public IList<string> LoadAtStart { get; } = [];

    /// <summary>Most models loaded at once; the least recently used one unloads to make room.</summary>
    [Range(1, 64)]
    public int MaxLoadedModels { get; set; } = 4;

    /// <summary>Most bytes of model files loaded at once (an estimate of their memory).</summary>
    [Range(1L << 20, 1L << 40)]
    public long MaxLoadedBytes { get; set; } = 4L << 30;

    /// <summary>A model not used for this long unloads; zero keeps models loaded.</summary>
    public TimeSpan UnloadWhenIdleFor { get; set; } = TimeSpan.FromMinutes(30);

    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>CUDA device when <see cref="ExecutionProvider"/> is Cuda.</summary>
    [Range(0, 64)]
    public int DeviceId { get; set; }

    /// <summary>
    /// Batches a model runs at once, each on its own thread; 0 means one per core. On a CPU, two
    /// single-threaded runs side by side do more than one run on two threads, which spends its time
    /// handing work between them.
    /// </summary>
    [Range(0, 64)]
    public int ConcurrentBatches { get; set; }

    /// <summary>Threads ONNX Runtime uses within an operator of one run; 0 means the cores shared out among <see cref="ConcurrentBatches"/>.</summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; set; }

    internal int EffectiveConcurrentBatches => ConcurrentBatches > 0 ? ConcurrentBatches : Environment.ProcessorCount;

    internal int EffectiveIntraOpThreads => IntraOpThreads > 0 ? IntraOpThreads : Math.Max(1, Environment.ProcessorCount / EffectiveConcurrentBatches);

    /// <summary>Threads for running independent operators in parallel; 0 lets it choose.</summary>
    [Range(0, 1024)]
    public int InterOpThreads { get; set; }

    /// <summary>
    /// Whether ONNX Runtime's threads spin between operators rather than sleep: a little faster for
    /// a process that does nothing else, but it takes CPU from request handling on small machines.
    /// </summary>
    public bool SpinWhileIdle { get; set; }

    /// <summary>Most inputs in one batch.</summary>
    [Range(1, 4096)]
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>Most tokens in one batch, counted as inputs × longest input (what the model computes on).</summary>
    [Range(1, 1 << 24)]
    public int MaxBatchTokens { get; set; } = 8192;

    /// <summary>How long the first input of a batch waits for others to join it; zero runs at once.</summary>
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Whether concurrent requests are merged into batches at all (off: each request runs alone).</summary>
    public bool Batching { get; set; } = true;

    /// <summary>Inputs waiting per model; beyond it requests are refused with 503 and Retry-After.</summary>
    [Range(1, 1_000_000)]
    public int MaxQueuedInputs { get; set; } = 4096;

    /// <summary>Most inputs in one request.</summary>
    [Range(1, 100_000)]
    public int MaxInputsPerRequest { get; set; } = 2048;

    /// <summary>Most chunks one <c>embed_documents</c> task may store, all its documents together.</summary>
    [Range(1, 10_000_000)]
    public int MaxChunksPerTask { get; set; } = 10_000;

    /// <summary>An input over the model's token limit is cut to it (true) or refused (false).</summary>
    public bool TruncateLongInputs { get; set; } = true;
}
