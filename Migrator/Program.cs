using Neutrino.Core.Storage;

// The system's one migration step: brings the task store to this build's schema, then exits.
// The services wait for it to finish (WaitForCompletion in the AppHost, a Job on Kubernetes).
var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddTaskStoreMigrator();

using var host = builder.Build();

await host.StartAsync();
await host.Services.GetRequiredService<TaskStoreMigrator>().MigrateAsync(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
await host.StopAsync();
