using Scalar.AspNetCore;
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
// The API's description needs no key: /openapi/v1.json, and its reference page at /scalar.
app.MapOpenApi();
app.MapScalarApiReference();
app.UseApiKeys();
app.MapTasksApi();
app.MapAdminApi();
app.MapPoolProxy();

app.Run();
