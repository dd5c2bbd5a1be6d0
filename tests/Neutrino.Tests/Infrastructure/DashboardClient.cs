using System.Net;
using System.Text.RegularExpressions;

namespace Neutrino.Tests.Infrastructure;

/// <summary>The dashboard as a browser uses it: the login form (with its antiforgery token), then the auth cookie.</summary>
public static partial class DashboardClient
{
    /// <summary>A client that keeps cookies and does not follow redirects, not logged in.</summary>
    public static HttpClient Anonymous(NeutrinoSystem system) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = system.Dashboard };

    /// <summary>Logs in with <paramref name="key"/>; the answer is the login's redirect.</summary>
    public static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string key)
    {
        var page = await client.GetStringAsync("/login");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = key, ["__RequestVerificationToken"] = token });
        return await client.PostAsync("/login", form);
    }

    public static async Task<HttpClient> LoggedInAsync(NeutrinoSystem system, string key)
    {
        var client = Anonymous(system);
        var login = await LoginAsync(client, key);
        Assert.Equal((HttpStatusCode.Redirect, "/tasks"), (login.StatusCode, login.Headers.Location?.ToString()));
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
