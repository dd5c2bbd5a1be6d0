using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Neutrino.AppHost.Lifecycle;

internal static class LifecycleExtensions
{
    /// <summary>A resource that runs once to completion; what waits for it uses <c>WaitForCompletion</c>.</summary>
    public static IResourceBuilder<T> RunsOnce<T>(this IResourceBuilder<T> builder)
        where T : IResource => builder.WithAnnotation(new RunsOnceAnnotation());

    /// <summary>
    /// In run mode: a process that exits on its own is started again (<see cref="RestartOnExit"/>),
    /// and once everything is up the AppHost says where everything is (<see cref="StartupSummary"/>).
    /// </summary>
    public static IDistributedApplicationBuilder AddNeutrinoLifecycle(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsRunMode)
        {
            builder.Services.TryAddSingleton(TimeProvider.System);
            if (builder.Configuration.GetValue("Neutrino:RestartOnExit", true))
            {
                builder.Services.AddHostedService<RestartOnExit>();
            }
            builder.Services.AddHostedService<StartupSummary>();
        }
        return builder;
    }
}
