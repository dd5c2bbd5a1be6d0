using Neutrino.Core.Storage;
using Neutrino.Dashboard;
using Neutrino.Dashboard.Components;
using Neutrino.Dashboard.Data;

var builder = WebApplication.CreateBuilder(args);
// The framework's script (blazor.web.js) comes from its package's static web assets: found through the
// build's manifest in every environment when run from a build, as the AppHost and the tests do (a
// published app has them in wwwroot, and no manifest).
builder.WebHost.UseStaticWebAssets();

builder.AddServiceDefaults();
builder.AddTaskStore();
builder.Services.AddHostedService<TaskQueriesWarmup>();
builder.Services.AddSingleton<DashboardQueries>();
builder.Services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.Section);
// The gateway, by service discovery: the actions are its API's.
builder.Services.AddHttpClient<GatewayClient>(http => http.BaseAddress = new Uri("https+http://gateway"));
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.AddDashboardLogin();
builder.Services.AddCascadingAuthenticationState();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
// The framework's script and the style sheet are the same for everyone: the login page needs them too.
app.MapStaticAssets().AllowAnonymous();
app.MapDashboardLogin();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
