using System.Text.Json;

namespace Neutrino.Client;

/// <summary>How a <see cref="NeutrinoClient"/> reaches the gateway and serializes task arguments and results.</summary>
public sealed class NeutrinoClientOptions
{
    /// <summary>The longest wait the gateway grants a single long poll.</summary>
    public static readonly TimeSpan MaxLongPollWait = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The gateway's address, e.g. <c>http://localhost:8080/</c>. When null, the <see cref="HttpClient.BaseAddress"/>
    /// of the client's <see cref="HttpClient"/> is used. A path (a gateway behind a prefix) is kept.
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>
    /// The API key, sent as <c>Authorization: Bearer</c> on every request. When null, the request goes as the
    /// <see cref="HttpClient"/> makes it (for instance with a key set in its default headers or by a handler).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// How task arguments are written and results read. Null means <see cref="NeutrinoClient.DefaultSerializerOptions"/>:
    /// web defaults with snake_case property names, the convention of the gateway and its tasks.
    /// </summary>
    public JsonSerializerOptions? SerializerOptions { get; set; }

    /// <summary>
    /// The longest one long-poll request of <see cref="NeutrinoClient.WaitAsync"/> waits, 1 to 60 seconds (60 by default).
    /// Keep it below the <see cref="HttpClient"/>'s timeout and any resilience handler's attempt timeout.
    /// </summary>
    public TimeSpan LongPollWait { get; set; } = MaxLongPollWait;

    /// <summary>The clock for <see cref="NeutrinoClient.WaitAsync"/> deadlines and <c>Retry-After</c> dates; the system clock by default.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
