namespace Neutrino.Core.Tasks;

/// <summary>How a task is executed: in the request (sync) or through a durable queue (async, gpu).</summary>
public enum TaskMode
{
    Sync,
    Async,
    Gpu,
}
