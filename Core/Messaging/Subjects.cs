using Neutrino.Core.Tasks;

namespace Neutrino.Core.Messaging;

/// <summary>Every NATS subject, stream, consumer and bucket name Neutrino uses.</summary>
public static class Subjects
{
    public const string TaskStream = "NEUTRINO_TASKS";
    public const string DeadLetterStream = "NEUTRINO_DEAD";
    public const string CatalogBucket = "neutrino-catalog";

    public static IReadOnlyList<TaskPriority> PrioritiesInOrder { get; } = [TaskPriority.High, TaskPriority.Normal, TaskPriority.Low];

    /// <summary><c>neutrino.tasks.{pool}.{priority}.{task}</c>: where a queued task is published.</summary>
    public static string Task(string pool, TaskPriority priority, string task) => $"neutrino.tasks.{pool}.{WireNames.Of(priority)}.{task}";

    /// <summary>Everything queued for a pool, at any priority.</summary>
    public static string PoolTasks(string pool) => $"neutrino.tasks.{pool}.>";

    public static string ConsumerFilter(string pool, TaskPriority priority) => $"neutrino.tasks.{pool}.{WireNames.Of(priority)}.>";

    /// <summary>One durable consumer per (pool, priority), shared by every worker of the pool.</summary>
    public static string Consumer(string pool, TaskPriority priority) => $"{pool}-{WireNames.Of(priority)}";

    public static string DeadLetter(string pool, string task) => $"neutrino.dead.{pool}.{task}";

    /// <summary>Core NATS: asks whichever worker runs the task to cancel it.</summary>
    public static string Cancel(Guid id) => $"neutrino.cancel.{id:N}";

    public const string CancelAll = "neutrino.cancel.*";

    /// <summary>Core NATS: announces that a task reached a terminal state (wakes long-polls).</summary>
    public static string Done(Guid id) => $"neutrino.done.{id:N}";
}
