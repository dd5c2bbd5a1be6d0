using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;
using Neutrino.Core.Workers;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNatsClient("nats");
builder.AddNpgsqlDataSource("neutrino");
builder.AddTaskStore();
// No gpu task is registered yet: the pool binds its consumers and publishes an empty catalog.
builder.AddNeutrinoPool(Pools.Gpu)
    .AddQueuedWorker();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
