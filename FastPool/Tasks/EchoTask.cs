using Neutrino.Core.Workers;

namespace Neutrino.FastPool.Tasks;

/// <summary>Returns its args unchanged: the cheapest possible task, used by tests and benchmarks.</summary>
internal sealed class EchoTask : ITaskHandler
{
    public Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> args, TaskContext context, CancellationToken cancellationToken) =>
        Task.FromResult(args.ToArray());
}
