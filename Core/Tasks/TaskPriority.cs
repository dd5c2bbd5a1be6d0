namespace Neutrino.Core.Tasks;

public enum TaskPriority
{
    High,
    Normal,
    Low,
}
