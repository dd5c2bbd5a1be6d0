using Neutrino.Core.Storage;
using Neutrino.Dashboard;
using Neutrino.Dashboard.Components;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTaskStore();
builder.Services.AddHostedService<TaskQueriesWarmup>();
builder.Services.AddRazorComponents();
builder.AddDashboardLogin();
builder.Services.AddCascadingAuthenticationState();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapDashboardLogin();
app.MapRazorComponents<App>();

app.Run();
