using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Neutrino.Client;

/// <summary>
/// A typed client for the Neutrino gateway. It is cheap and holds no connections of its own: the
/// <see cref="HttpClient"/> it is given does, so make it as a typed client of <c>IHttpClientFactory</c>
/// (<c>services.AddNeutrinoClient(...)</c>) or over one long-lived <see cref="HttpClient"/>. It is safe to use from
/// several threads at once.
/// </summary>
/// <remarks>
/// Task arguments and results are serialized with <see cref="NeutrinoClientOptions.SerializerOptions"/>, by default
/// <see cref="DefaultSerializerOptions"/>: a property <c>MaxTokens</c> goes over the wire as <c>max_tokens</c>.
/// Error answers are thrown as <see cref="NeutrinoApiException"/> or one of its subclasses.
/// </remarks>
public sealed partial class NeutrinoClient
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";
    private const string ReplayedHeader = "Idempotent-Replayed";

    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue ProblemJson = new("application/problem+json");

    private readonly HttpClient _http;
    private readonly Uri? _baseAddress;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly JsonSerializerOptions _serializerOptions;
    private readonly TimeProvider _time;
    private readonly TimeSpan _longPollWait;

    /// <summary>
    /// A client over <paramref name="http"/> as it is configured: its <see cref="HttpClient.BaseAddress"/> is the gateway
    /// and it authenticates requests itself. This is the constructor <c>IHttpClientFactory</c> typed clients use.
    /// </summary>
    public NeutrinoClient(HttpClient http)
        : this(http, new NeutrinoClientOptions())
    {
    }

    /// <summary>A client over <paramref name="http"/> with the address, key and serialization of <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException"><see cref="NeutrinoClientOptions.BaseAddress"/> is not absolute, or <see cref="NeutrinoClientOptions.ApiKey"/> is blank.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="NeutrinoClientOptions.LongPollWait"/> is not 1 to 60 seconds.</exception>
    public NeutrinoClient(HttpClient http, NeutrinoClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BaseAddress is { IsAbsoluteUri: false })
        {
            throw new ArgumentException($"BaseAddress must be an absolute URI, not '{options.BaseAddress}'.", nameof(options));
        }
        if (options.ApiKey is { } key && string.IsNullOrWhiteSpace(key))
        {
            throw new ArgumentException("ApiKey is blank: set a key, or null to let the HttpClient authenticate.", nameof(options));
        }
        if (options.LongPollWait < TimeSpan.FromSeconds(1) || options.LongPollWait > NeutrinoClientOptions.MaxLongPollWait)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LongPollWait, "LongPollWait must be 1 to 60 seconds.");
        }
        _http = http;
        _baseAddress = options.BaseAddress is { } address ? WithTrailingSlash(address) : null;
        _authorization = options.ApiKey is { } apiKey ? new AuthenticationHeaderValue("Bearer", apiKey) : null;
        _serializerOptions = options.SerializerOptions ?? DefaultSerializerOptions;
        _time = options.TimeProvider ?? TimeProvider.System;
        _longPollWait = options.LongPollWait;
    }

    /// <summary>
    /// How task arguments and results are serialized unless <see cref="NeutrinoClientOptions.SerializerOptions"/> says
    /// otherwise: <see cref="JsonSerializerDefaults.Web"/> with <see cref="JsonNamingPolicy.SnakeCaseLower"/> property names.
    /// Read-only; copy it to change it.
    /// </summary>
    public static JsonSerializerOptions DefaultSerializerOptions { get; } = CreateDefaultSerializerOptions();

    private static JsonSerializerOptions CreateDefaultSerializerOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    // Relative paths keep the base address's own path, so a gateway behind a prefix (https://host/neutrino/) works.
    private static Uri WithTrailingSlash(Uri address) =>
        address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");

    private Uri Resolve(string relative)
    {
        if (_baseAddress is not null)
        {
            return new Uri(_baseAddress, relative);
        }
        if (_http.BaseAddress is null)
        {
            throw new InvalidOperationException("The gateway's address is unknown: set NeutrinoClientOptions.BaseAddress or the HttpClient's BaseAddress.");
        }
        return new Uri(relative, UriKind.Relative);
    }

    /// <summary>Sends a request and answers the response if it succeeded; an error answer is thrown as its exception.</summary>
    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string relative, HttpContent? content, bool taskCall, CancellationToken cancellationToken, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, Resolve(relative)) { Content = content };
        request.Headers.Accept.Add(Json);
        request.Headers.Accept.Add(ProblemJson);
        if (_authorization is not null)
        {
            request.Headers.Authorization = _authorization;
        }
        if (idempotencyKey is not null)
        {
            request.Headers.Add(IdempotencyKeyHeader, idempotencyKey);
        }
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            throw await ApiErrors.ReadAsync(response, taskCall, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<T> SendAsync<T>(
        HttpMethod method, string relative, HttpContent? content, JsonTypeInfo<T> answer, bool taskCall, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, relative, content, taskCall, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, answer, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> answer, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync(answer, cancellationToken).ConfigureAwait(false)
        ?? throw new JsonException($"The gateway answered {(int)response.StatusCode} with an empty body where a {typeof(T).Name} was expected.");

    private static string Segment(string value, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        return Uri.EscapeDataString(value);
    }
}
