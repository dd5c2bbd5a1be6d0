using Neutrino.AppHost.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var apiKey = builder.AddApiKey("api-key");

var postgres = builder.AddPostgres("postgres");
var tasksDb = postgres.AddDatabase("neutrino");
var nats = builder.AddNats("nats").WithJetStream();
var models = builder.AddEmbeddingModels("models");

var fastPool = builder.AddProject<Projects.FastPool>("fastpool")
    .WithReplicas(builder.Configuration.GetValue("Neutrino:FastPoolReplicas", 2))
    .WithReference(tasksDb).WaitFor(tasksDb)
    .WithReference(nats).WaitFor(nats);

var asyncPool = builder.AddProject<Projects.AsyncPool>("asyncpool")
    .WithReplicas(builder.Configuration.GetValue("Neutrino:AsyncPoolReplicas", 2))
    .WithReference(tasksDb).WaitFor(tasksDb)
    .WithReference(nats).WaitFor(nats);

var gpuPool = builder.AddProject<Projects.GpuPool>("gpupool")
    .WithReference(tasksDb).WaitFor(tasksDb)
    .WithReference(nats).WaitFor(nats)
    .WithReference(models).WaitFor(models);

builder.AddProject<Projects.Gateway>("gateway")
    .WithHttpEndpoint(port: builder.Configuration.GetValue("Neutrino:GatewayPort", 8080))
    .WithEnvironment("Neutrino__Auth__BootstrapKey", apiKey)
    .WithReference(tasksDb).WaitFor(tasksDb)
    .WithReference(nats).WaitFor(nats)
    .WithReference(fastPool).WaitFor(fastPool)
    .WithReference(gpuPool).WaitFor(gpuPool)
    .WaitFor(asyncPool);

builder.AddProject<Projects.Dashboard>("dashboard")
    .WithHttpEndpoint(port: builder.Configuration.GetValue("Neutrino:DashboardPort", 8081))
    .WithReference(tasksDb).WaitFor(tasksDb);

await builder.Build().RunAsync();
