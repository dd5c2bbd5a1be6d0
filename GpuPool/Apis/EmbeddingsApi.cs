using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Neutrino.Core.Http;
using Neutrino.Embeddings;

namespace Neutrino.GpuPool.Apis;

/// <summary>
/// OpenAI-compatible <c>POST /v1/embeddings</c> and <c>GET /v1/models</c>: the request and response
/// shapes, and errors as <c>{"error": {"message", "type", "param", "code"}}</c>, are OpenAI's, so
/// its official clients work unchanged.
/// </summary>
internal static class EmbeddingsApi
{
    public static WebApplication MapEmbeddingsApi(this WebApplication app)
    {
        app.MapPost("/v1/embeddings", EmbedAsync);
        app.MapGet("/v1/models", ListModels);
        app.MapGet("/v1/models/{model}", GetModel);
        return app;
    }

    private static async Task EmbedAsync(HttpContext context, EmbeddingEngine engine, IOptions<EmbeddingsApiOptions> options)
    {
        var body = await ReadBodyAsync(context, options.Value.MaxRequestBytes);
        if (body is null)
        {
            return;
        }
        EmbeddingResult result;
        EmbeddingsRequest request;
        try
        {
            request = EmbeddingsRequest.Parse(body);
            result = await engine.EmbedAsync(request.Input, request.Model, request.Dimensions, context.RequestAborted);
        }
        catch (EmbeddingException ex)
        {
            await WriteRefusalAsync(context, ex);
            return;
        }

        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter.AsStream());
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        for (var i = 0; i < result.Vectors.Count; i++)
        {
            json.WriteStartObject();
            json.WriteString("object", "embedding");
            json.WriteNumber("index", i);
            if (request.Base64)
            {
                // Little-endian float32, as OpenAI sends it.
                json.WriteBase64String("embedding", MemoryMarshal.AsBytes(result.Vectors[i].AsSpan()));
            }
            else
            {
                json.WriteStartArray("embedding");
                foreach (var value in result.Vectors[i])
                {
                    json.WriteNumberValue(value);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("model", result.Model);
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", result.PromptTokens);
        json.WriteNumber("total_tokens", result.PromptTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>An engine refusal in OpenAI's error shape: 404 for an unknown model, 503 with <c>Retry-After</c> when overloaded, else 400.</summary>
    public static Task WriteRefusalAsync(HttpContext context, EmbeddingException refusal)
    {
        var status = refusal.Kind switch
        {
            EmbeddingErrorKind.ModelNotFound => StatusCodes.Status404NotFound,
            EmbeddingErrorKind.Overloaded => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status400BadRequest,
        };
        if (refusal.Kind == EmbeddingErrorKind.Overloaded)
        {
            context.Response.Headers.RetryAfter = "1";
        }
        return OpenAiErrors.WriteAsync(context, status, refusal.Message,
            refusal.Kind == EmbeddingErrorKind.Overloaded ? "server_error" : "invalid_request_error", refusal.Parameter, refusal.Code);
    }

    /// <summary>The body, or null after answering 413 when it is larger than allowed.</summary>
    public static async Task<byte[]?> ReadBodyAsync(HttpContext context, long limit)
    {
        var body = await RequestBody.ReadAsync(context.Request, limit, context.RequestAborted);
        if (body is null)
        {
            await OpenAiErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
                $"The request body is larger than {limit} bytes.", "invalid_request_error", null, "request_too_large");
        }
        return body;
    }

    private static Ok<ModelList> ListModels(EmbeddingEngine engine) => TypedResults.Ok(new ModelList("list", [.. engine.ListModels().Select(ModelObject)]));

    private static async Task GetModel(HttpContext context, string model, EmbeddingEngine engine)
    {
        var found = engine.ListModels().FirstOrDefault(m => m.Name == model);
        if (found is null)
        {
            await OpenAiErrors.WriteAsync(context, StatusCodes.Status404NotFound, $"The model '{model}' does not exist.", "invalid_request_error", "model", "model_not_found");
            return;
        }
        await TypedResults.Ok(ModelObject(found)).ExecuteAsync(context);
    }

    private static ModelObject ModelObject(Embeddings.Models.ModelInfo model) =>
        new(model.Name, "model", model.CreatedUnixSeconds, "neutrino", model.Dimensions, model.MaxTokens, model.Source, model.License, model.Loaded);
}

/// <summary>An OpenAI model object, with what else a client of embeddings wants to know.</summary>
internal sealed record ModelObject(string Id, string Object, long Created, string OwnedBy, int Dimensions, int MaxTokens, string? Source, string? License, bool Loaded);

internal sealed record ModelList(string Object, IReadOnlyList<ModelObject> Data);

/// <summary>Bound from <c>Neutrino:EmbeddingsApi</c>.</summary>
internal sealed class EmbeddingsApiOptions
{
    public const string Section = "Neutrino:EmbeddingsApi";

    /// <summary>Largest <c>/v1/embeddings</c> body; larger is 413.</summary>
    [System.ComponentModel.DataAnnotations.Range(1024, 1L << 30)]
    public long MaxRequestBytes { get; set; } = 16 << 20;
}
