using Neutrino.Core.Storage;
using Neutrino.Gateway.Apis;
using Neutrino.Gateway.Auth;
using Neutrino.Gateway.Extensions;
using Neutrino.Gateway.Routing;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNatsClient("nats");
builder.AddTaskStore();
builder.AddGatewayServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseApiKeys();
app.MapTasksApi();
app.MapAdminApi();
app.MapPoolProxy();

app.Run();
