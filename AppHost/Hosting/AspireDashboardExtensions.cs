using Microsoft.Extensions.DependencyInjection;
using System.Globalization;

namespace Neutrino.AppHost.Hosting;

internal static class AspireDashboardExtensions
{
    public const int DefaultPort = 18888;
    public const int DefaultOtlpPort = 18889;

    /// <summary>
    /// Where the Aspire dashboard listens (<c>Neutrino:AspireDashboardPort</c>, default 18888; 0 takes a
    /// free port) and where it takes the services' OTLP (gRPC, <c>Neutrino:OtlpPort</c>, default 18889).
    /// Plain http on localhost: the machines have no developer certificate. The dashboard still asks
    /// for the login token the AppHost prints, unless ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS is true.
    /// An <c>ASPNETCORE_URLS</c> of one's own is kept when no port is configured.
    /// </summary>
    public static IDistributedApplicationBuilder ConfigureAspireDashboard(this IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var portSetting = configuration["Neutrino:AspireDashboardPort"];
        if (portSetting is not null || configuration["ASPNETCORE_URLS"] is null)
        {
            var port = FreePort.Resolve(configuration.GetValue("Neutrino:AspireDashboardPort", DefaultPort), "Neutrino:AspireDashboardPort");
            var otlpPort = FreePort.Resolve(configuration.GetValue("Neutrino:OtlpPort", portSetting == "0" ? 0 : DefaultOtlpPort), "Neutrino:OtlpPort");
            configuration["ASPNETCORE_URLS"] = string.Create(CultureInfo.InvariantCulture, $"http://localhost:{port}");
            configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = string.Create(CultureInfo.InvariantCulture, $"http://localhost:{otlpPort}");
        }
        configuration["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] ??= "true";
        return builder;
    }

    /// <summary>
    /// The dashboard's login URL, with the token of this run, once it runs (where it really listens:
    /// tests have DCP choose its port); null when the dashboard is off.
    /// </summary>
    public static string? LoginUrl(DistributedApplicationModel model, IConfiguration configuration) =>
        model.Resources.OfType<IResourceWithEndpoints>().FirstOrDefault(r => r.Name == DashboardResource) is { } dashboard
        && dashboard.GetEndpoints().FirstOrDefault(e => e.EndpointName == "http") is { IsAllocated: true } endpoint
        && configuration["AppHost:BrowserToken"] is { } token
            ? $"{endpoint.Url.TrimEnd('/')}/login?t={token}"
            : null;

    /// <summary>
    /// Tells a service where the Aspire dashboard is (<c>Neutrino__Dashboard__AspireDashboardUrl</c>), for
    /// links to a task's trace: where it really listens when it runs, else the configured address. Run
    /// mode only: a deployment has its own.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithAspireDashboardLinks(this IResourceBuilder<ProjectResource> service)
    {
        if (service.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return service;
        }
        var configuration = service.ApplicationBuilder.Configuration;
        return service.WithEnvironment(context =>
        {
            var model = context.ExecutionContext.Services.GetRequiredService<DistributedApplicationModel>();
            var url = model.Resources.OfType<IResourceWithEndpoints>().FirstOrDefault(r => r.Name == DashboardResource) is { } dashboard
                      && dashboard.GetEndpoints().FirstOrDefault(e => e.EndpointName == "http") is { IsAllocated: true } endpoint
                ? endpoint.Url
                : configuration["ASPNETCORE_URLS"]?.Split(';')[0];
            if (url is not null && Uri.TryCreate(url, UriKind.Absolute, out var address) && address.Port != 0)
            {
                context.EnvironmentVariables["Neutrino__Dashboard__AspireDashboardUrl"] = address.ToString();
            }
        });
    }

    /// <summary>Aspire adds its dashboard to the model as a resource of this name.</summary>
    public const string DashboardResource = "aspire-dashboard";
}
