namespace Neutrino.Core.Messaging;

/// <summary>Headers of a queued task's message; its body is the task's args, as raw JSON.</summary>
public static class TaskHeaders
{
    public const string TaskId = "Neutrino-Task-Id";
    public const string TaskName = "Neutrino-Task";

    /// <summary>
    /// On requests the gateway forwards to a pool: the tenant of the authenticated caller's key. The
    /// gateway sets it (overwriting any value a client sent) beside its proof (see <c>GatewayProof</c>),
    /// so the pools can trust it.
    /// </summary>
    public const string Tenant = "Neutrino-Tenant";

    /// <summary>On requests the gateway forwards to a pool: the name of the caller's key, set like <see cref="Tenant"/>.</summary>
    public const string KeyName = "Neutrino-Key-Name";

    /// <summary>The caller's own idempotency key, passed through as sent (the gateway has checked it and claimed it).</summary>
    public const string IdempotencyKey = "Idempotency-Key";
    public const string Error = "Neutrino-Error";
    public const string Attempts = "Neutrino-Attempts";
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
}
