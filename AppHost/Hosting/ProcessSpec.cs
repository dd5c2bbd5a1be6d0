namespace Neutrino.AppHost.Hosting;

/// <summary>How to start one process of a resource.</summary>
internal sealed record ProcessSpec(
    string Name,
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory,
    string? RunAsUser = null,
    int StopSignal = Signals.SigTerm);
