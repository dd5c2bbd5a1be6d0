using Microsoft.Extensions.DependencyInjection;
using Neutrino.Core.Tasks;

namespace Neutrino.Core.Workers;

/// <summary>A task this process can run: its catalog definition and how to get its handler.</summary>
public sealed record TaskRegistration(TaskDefinition Definition, Type HandlerType)
{
    public ITaskHandler CreateHandler(IServiceProvider services) => (ITaskHandler)services.GetRequiredService(HandlerType);
}
