using Neutrino.Core.Http;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;
using Neutrino.Core.Workers;
using Neutrino.FastPool.Apis;
using Neutrino.FastPool.Extensions;
using Neutrino.FastPool.Tasks;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNatsClient("nats");
builder.AddTaskStore();
builder.AddFastPoolServices();
builder.AddNeutrinoPool(Pools.Fast)
    .AddTask<EchoTask>("echo", TaskMode.Sync, timeout: TimeSpan.FromSeconds(5));

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseGatewayProof("/api", "/v1");
app.UseRateLimiter();
app.MapSyncTaskApi();

app.Run();
