using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Neutrino.Core.Http;

/// <summary>
/// The pools answer only the gateway: every request it forwards carries a secret the AppHost gives
/// both (a parameter, so a deployment generates its own), compared in constant time. What the
/// gateway says about the caller (its tenant) is trusted only on a request that carries it.
/// </summary>
public static class GatewayProof
{
    public const string Header = "Neutrino-Gateway-Proof";
    public const string ConfigurationKey = "Neutrino:Internal:Secret";

    /// <summary>The secret, or a start-up failure that says how to give it.</summary>
    public static string Secret(IConfiguration configuration) =>
        configuration[ConfigurationKey] is { Length: > 0 } secret
            ? secret
            : throw new InvalidOperationException($"No internal secret is configured: set Neutrino__Internal__Secret (the AppHost does) on the gateway and the pools.");

    /// <summary>Requests under <paramref name="prefixes"/> without the gateway's proof are 401.</summary>
    public static WebApplication UseGatewayProof(this WebApplication app, params string[] prefixes)
    {
        var expected = Hash(Secret(app.Configuration));
        app.Use(async (context, next) =>
        {
            if (!prefixes.Any(prefix => context.Request.Path.StartsWithSegments(prefix)))
            {
                await next(context);
                return;
            }
            // Both sides hashed: a comparison of equal lengths, in constant time.
            if (!CryptographicOperations.FixedTimeEquals(Hash(context.Request.Headers[Header].ToString()), expected))
            {
                await TaskProblems.Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
                    "This service answers only Neutrino's gateway; send the request to the gateway with an API key.").ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        return app;
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
