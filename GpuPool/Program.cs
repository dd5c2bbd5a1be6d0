using Neutrino.Core.Http;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;
using Neutrino.Core.Workers;
using Neutrino.GpuPool.Apis;
using Neutrino.GpuPool.Extensions;
using Neutrino.GpuPool.Tasks;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNatsClient("nats");
builder.AddTaskStore();
builder.AddEmbeddings();
builder.AddNeutrinoPool(Pools.Gpu)
    .AddTask<EmbedTask>("embed", TaskMode.Gpu, timeout: TimeSpan.FromMinutes(5), attempts: 3)
    .AddTask<EmbedDocumentsTask>("embed_documents", TaskMode.Gpu, timeout: TimeSpan.FromMinutes(30), attempts: 3)
    .AddQueuedWorker();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseGatewayProof("/api", "/v1");
app.MapEmbeddingsApi();
app.MapCollectionsApi();

app.Run();
