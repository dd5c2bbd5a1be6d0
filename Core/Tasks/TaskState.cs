namespace Neutrino.Core.Tasks;

public enum TaskState
{
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}
