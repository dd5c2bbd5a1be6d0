using System.ComponentModel.DataAnnotations;

namespace Neutrino.Gateway.Extensions;

/// <summary>Bound from <c>Neutrino:Gateway</c>.</summary>
internal sealed class GatewayOptions
{
    public const string Section = "Neutrino:Gateway";

    /// <summary>Largest body accepted under <c>/api</c>; larger is 413.</summary>
    [Range(1, 1L << 30)]
    public long MaxBodyBytes { get; set; } = 1 << 20;

    /// <summary>Most tasks one <c>POST /tasks/batch</c> may carry; more is 400.</summary>
    [Range(1, 100_000)]
    public int MaxBatchTasks { get; set; } = 1000;

    /// <summary>Largest body accepted by <c>POST /tasks/batch</c>; larger is 413.</summary>
    [Range(1, 1L << 30)]
    public long MaxBatchBodyBytes { get; set; } = 16 << 20;

    /// <summary>Longest <c>?wait=</c> a poll may ask for, in seconds.</summary>
    [Range(0, 3600)]
    public int MaxWaitSeconds { get; set; } = 60;

    /// <summary>How long a queued task's publish may wait for the stream's acknowledgement before the answer is 503.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the gateway sweeps for tasks of lost workers and queued tasks with no message (see <c>QueueReconciler</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a running task's worker must have been silent (no liveness renewal) before the sweep
    /// takes the task's message for lost and queues it again. Longer than the workers' AckWait plus
    /// their liveness lease, so JetStream's own redelivery always has its chance first.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LostWorkerAfter { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>How old a queued task with no message must be before it may be published again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ReconcileAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an <c>Idempotency-Key</c> keeps answering with the task it first created.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// An <c>Idempotency-Key</c> whose first request was refused but could not be freed (the database
    /// was down) is taken over by a retry after this long, if no task was recorded under it. Longer
    /// than any submission or sync task takes to record its task.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AbandonedKeyAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Requests under way at once in this gateway; beyond it the answer is 503 with Retry-After.</summary>
    [Range(1, 1_000_000)]
    public int MaxInFlight { get; set; } = 4096;

    /// <summary>Sustained requests per second allowed per API key; beyond it the answer is 429 with Retry-After. 0 turns the limit off.</summary>
    [Range(0, 1_000_000)]
    public int RequestsPerSecondPerKey { get; set; } = 2000;

    /// <summary>Long polls (<c>GET /tasks/{id}?wait=</c>) one key may have waiting at once; beyond it the answer is 429.</summary>
    [Range(1, 1_000_000)]
    public int MaxLongPollsPerKey { get; set; } = 256;

    /// <summary>Largest answer of <c>GET /tasks</c>, in bytes of task JSON: a page ends early (with its cursor) rather than grow past it.</summary>
    [Range(1024, 1L << 30)]
    public long MaxPageBytes { get; set; } = 1 << 20;

    /// <summary>Most tasks of one tenant queued at once, unless its own quota says otherwise (<c>PUT /admin/tenants/{name}</c>).</summary>
    [Range(1, int.MaxValue)]
    public int DefaultMaxQueuedPerTenant { get; set; } = 1_000_000;

    /// <summary>Task submissions per second one tenant may sustain, unless its own quota says otherwise; 0: no limit.</summary>
    [Range(0, 1_000_000)]
    public int DefaultSubmissionsPerSecondPerTenant { get; set; }

    /// <summary>Requests a key may make in a burst above its rate.</summary>
    [Range(1, 10_000_000)]
    public int BurstPerKey { get; set; } = 4000;

    /// <summary>The fast pool's service name: resolved through service discovery (<c>services__fastpool__http__N</c>).</summary>
    [Required]
    public string FastPoolService { get; set; } = "http://fastpool";

    /// <summary>The gpu pool's service name, which serves <c>/v1/*</c>.</summary>
    [Required]
    public string GpuPoolService { get; set; } = "http://gpupool";

    /// <summary>Largest body accepted under <c>/v1</c> (embedding requests carry many inputs); larger is 413.</summary>
    [Range(1, 1L << 30)]
    public long MaxEmbeddingsBodyBytes { get; set; } = 16 << 20;
}
