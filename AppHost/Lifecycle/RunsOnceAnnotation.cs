namespace Neutrino.AppHost.Lifecycle;

/// <summary>Marks a resource that runs to completion (migrations, provisioning): its exit is its end, not a crash.</summary>
internal sealed class RunsOnceAnnotation : IResourceAnnotation;
