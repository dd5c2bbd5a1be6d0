using System.Collections.Concurrent;

namespace Neutrino.Core.Workers;

/// <summary>The cancellation sources of the tasks this process is running, by task id.</summary>
public sealed class RunningTasks
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();

    public int Count => _running.Count;

    /// <summary>The ids of the tasks running now.</summary>
    public Guid[] Ids => [.. _running.Keys];

    /// <summary>False when this process already runs the task (a second delivery of its message).</summary>
    public bool TryRegister(Guid id, out CancellationTokenSource source)
    {
        source = new CancellationTokenSource();
        if (_running.TryAdd(id, source))
        {
            return true;
        }
        source.Dispose();
        return false;
    }

    public void Unregister(Guid id, CancellationTokenSource source)
    {
        _running.TryRemove(new KeyValuePair<Guid, CancellationTokenSource>(id, source));
        source.Dispose();
    }

    public bool TryCancel(Guid id)
    {
        if (!_running.TryGetValue(id, out var source))
        {
            return false;
        }
        try
        {
            source.Cancel();
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false; // finished between the lookup and the cancel
        }
    }
}
