using Neutrino.AsyncPool.Tasks;
using Neutrino.Core.Storage;
using Neutrino.Core.Tasks;
using Neutrino.Core.Workers;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNatsClient("nats");
builder.AddTaskStore();
builder.AddNeutrinoPool(Pools.Async)
    .AddTask<SleepTask>("sleep", TaskMode.Async, timeout: TimeSpan.FromMinutes(10), attempts: 3)
    .AddTask<FailTask>("fail", TaskMode.Async, timeout: TimeSpan.FromMinutes(1), attempts: 5,
        retry: new RetryPolicy(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5)))
    .AddQueuedWorker();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
