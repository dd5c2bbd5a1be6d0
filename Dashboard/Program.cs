using Neutrino.Core.Storage;
using Neutrino.Dashboard.Components;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTaskStore();
builder.Services.AddHostedService<TaskQueriesWarmup>();
builder.Services.AddRazorComponents();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseAntiforgery();
app.MapRazorComponents<App>();

app.Run();
