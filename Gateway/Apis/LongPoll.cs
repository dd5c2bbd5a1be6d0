using NATS.Client.Core;
using Neutrino.Core.Json;
using Neutrino.Core.Messaging;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;

namespace Neutrino.Gateway.Apis;

/// <summary><c>GET /tasks/{id}?wait=N</c>: answers as soon as the task is terminal, or with its state after N seconds.</summary>
internal static class LongPoll
{
    // The store is read again at least this often, in case a completion notice was missed.
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);

    public static async Task<TaskView?> WaitForTerminalAsync(
        Guid id, string? tenant, TimeSpan wait, TaskQueries queries, INatsConnection nats, TimeProvider time, CancellationToken cancellationToken)
    {
        // Subscribe before the first read, so a completion between the two is not missed. Without
        // NATS the poll still works, on the periodic re-read alone.
        INatsSub<byte[]>? done = null;
        try
        {
            done = await nats.SubscribeCoreAsync<byte[]>(Subjects.Done(id), cancellationToken: cancellationToken);
        }
        catch (NatsException)
        {
        }
        await using var subscription = done;
        var started = time.GetTimestamp();
        while (true)
        {
            var view = await queries.GetAsync(id, cancellationToken, tenant);
            var remaining = wait - time.GetElapsedTime(started);
            if (view is null || IsTerminal(view) || remaining <= TimeSpan.Zero)
            {
                return view;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(remaining < Recheck ? remaining : Recheck);
            try
            {
                if (done is null)
                {
                    await Task.Delay(Timeout.Infinite, timeout.Token);
                }
                else
                {
                    await done.Msgs.ReadAsync(timeout.Token);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    private static bool IsTerminal(TaskView view) => WireNames.TryParse(view.Status, out TaskState state) && state.IsTerminal();
}
