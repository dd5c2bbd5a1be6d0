using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Embeddings;
using OpenAI.Models;
using Neutrino.Tests.Embeddings;
using Neutrino.Tests.Infrastructure;

namespace Neutrino.Tests.Integration;

/// <summary>The embeddings API through the gateway, as OpenAI's official .NET client uses it, and the embed task.</summary>
[Collection(SystemCollection.Name)]
public sealed class EmbeddingsApiTests(SystemFixture fixture)
{
    private const float Tolerance = 1e-5f;
    private static readonly string[] Sentences = ["The cat sits on the mat.", "A cat is sitting on a rug.", "Quarterly revenue grew by ten percent."];
    private readonly HttpClient _client = fixture.System.CreateClient();

    private OpenAIClientOptions ClientOptions => new() { Endpoint = new Uri(fixture.System.Gateway, "/v1") };

    [Fact]
    public async Task The_official_OpenAI_client_gets_correct_embeddings()
    {
        var client = new EmbeddingClient("use-lite", new ApiKeyCredential(fixture.System.ApiKey), ClientOptions);

        OpenAIEmbeddingCollection embeddings = await client.GenerateEmbeddingsAsync(Sentences);

        var vectors = embeddings.Select(e => e.ToFloats().ToArray()).ToList();
        Assert.Equal([0, 1, 2], embeddings.Select(e => e.Index));
        Assert.Equal("use-lite", embeddings.Model);
        Assert.True(embeddings.Usage.InputTokenCount > 0);
        AssertClose(Reference(Sentences[0]), vectors[0]);
        var paraphrase = UseLiteParityTests.Dot(vectors[0], vectors[1]);
        var unrelated = UseLiteParityTests.Dot(vectors[0], vectors[2]);
        Assert.True(paraphrase > unrelated + 0.3, $"paraphrase {paraphrase:0.000}, unrelated {unrelated:0.000}");
    }

    [Fact]
    public async Task The_gpu_pool_reports_its_last_minute_of_batching_in_its_liveness_row()
    {
        var client = new EmbeddingClient("use-lite", new ApiKeyCredential(fixture.System.ApiKey), ClientOptions);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GenerateEmbeddingsAsync(Sentences)));

        // Every live gpu pool instance writes its own numbers with each renewal (every second in these tests).
        var report = await Eventually.ReadAsync(
            async () =>
            {
                await using var connection = new Npgsql.NpgsqlConnection(fixture.System.TasksConnectionString);
                await connection.OpenAsync();
                await using var command = new Npgsql.NpgsqlCommand("SELECT report::text FROM workers WHERE pool = 'gpu' AND report IS NOT NULL", connection);
                var text = await command.ExecuteScalarAsync() as string;
                return text is null ? null : JsonNode.Parse(text);
            },
            r => r?["embeddings"]?.AsArray().Any(m => m!["model"]!.GetValue<string>() == "use-lite" && m["last_minute"]?["inputs"]?.GetValue<long>() >= 12) == true,
            TimeSpan.FromSeconds(30),
            "the gpu pool's report of use-lite");
        var lite = report!["embeddings"]!.AsArray().Single(m => m!["model"]!.GetValue<string>() == "use-lite")!["last_minute"]!;
        Assert.True(lite["batches"]!.GetValue<long>() >= 1);
        Assert.True(lite["inputs_per_second"]!.GetValue<double>() > 0);
        Assert.True(lite["tokens"]!.GetValue<long>() >= lite["inputs"]!.GetValue<long>());
        Assert.True(lite["max_queue_wait_ms"]!.GetValue<double>() >= lite["mean_queue_wait_ms"]!.GetValue<double>());
    }

    [Fact]
    public async Task Float_and_base64_encodings_carry_the_same_vector()
    {
        var client = new EmbeddingClient("use-lite", new ApiKeyCredential(fixture.System.ApiKey), ClientOptions);

        var asFloats = await RawAsync(client, "float");
        var asBase64 = await RawAsync(client, "base64");

        var floats = asFloats["data"]![0]!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        var decoded = MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(asBase64["data"]![0]!["embedding"]!.GetValue<string>())).ToArray();
        Assert.Equal(floats, decoded);
        AssertClose(Reference(Sentences[0]), floats);
    }

    [Fact]
    public async Task Fewer_dimensions_can_be_asked_for()
    {
        var client = new EmbeddingClient("use-lite", new ApiKeyCredential(fixture.System.ApiKey), ClientOptions);

        OpenAIEmbedding embedding = await client.GenerateEmbeddingAsync(Sentences[0], new EmbeddingGenerationOptions { Dimensions = 64 });

        Assert.Equal(64, embedding.ToFloats().Length);
    }

    [Fact]
    public async Task The_model_list_names_the_default_model()
    {
        var models = new OpenAIModelClient(new ApiKeyCredential(fixture.System.ApiKey), ClientOptions);

        OpenAIModelCollection list = await models.GetModelsAsync();

        Assert.Contains(list, m => m.Id == "use-lite" && m.OwnedBy == "neutrino");
    }

    [Fact]
    public async Task Errors_come_back_in_OpenAIs_shape()
    {
        var client = new EmbeddingClient("no-such-model", new ApiKeyCredential(fixture.System.ApiKey), ClientOptions);
        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GenerateEmbeddingAsync("hello"));
        Assert.Equal(404, error.Status);

        using var content = new StringContent("""{"input":["fine",""],"model":"use-lite"}""", Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync("/v1/embeddings", content);
        var body = await TaskClient.ReadJsonAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            ("'input[1]' is an empty string; every input must have text.", "invalid_request_error", "input"),
            (body!["error"]!["message"]!.GetValue<string>(), body["error"]!["type"]!.GetValue<string>(), body["error"]!["param"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_gateways_own_refusals_under_v1_are_in_OpenAIs_shape_too()
    {
        var client = new EmbeddingClient("use-lite", new ApiKeyCredential("nk_wrong"), ClientOptions);
        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GenerateEmbeddingAsync("hello"));
        Assert.Equal(401, error.Status);

        using var anonymous = fixture.System.CreateClient(authenticated: false);
        using var response = await anonymous.GetAsync("/v1/models");
        var body = await TaskClient.ReadJsonAsync(response);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(("authentication_error", "invalid_api_key"), (body!["error"]!["type"]!.GetValue<string>(), body["error"]!["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_embed_task_runs_through_the_gateway_to_completion()
    {
        var id = await _client.SubmitAsync("embed", $$$"""{"args":{"texts":["{{{Sentences[0]}}}","{{{Sentences[2]}}}"]}}""");

        var task = await _client.WaitForTerminalAsync(id);

        Assert.Equal("completed", task.Status());
        var result = task["result"]!;
        Assert.Equal(("use-lite", 512), (result["model"]!.GetValue<string>(), result["dimensions"]!.GetValue<int>()));
        AssertClose(Reference(Sentences[0]), [.. result["embeddings"]![0]!.AsArray().Select(v => v!.GetValue<float>())]);
        Assert.Equal(2, result["embeddings"]!.AsArray().Count);
    }

    [Fact]
    public async Task The_embed_task_refuses_bad_args_at_once_without_retries()
    {
        var id = await _client.SubmitAsync("embed", """{"args":{"texts":[]}}""");

        var task = await _client.WaitForTerminalAsync(id);

        Assert.Equal(("failed", 1), (task.Status(), task["attempts"]!.GetValue<int>()));
        Assert.Equal("'texts' must not be empty.", task["error"]!.GetValue<string>());
    }

    private static async Task<JsonNode> RawAsync(EmbeddingClient client, string encoding)
    {
        using var content = BinaryContent.Create(BinaryData.FromString($$"""{"input":"{{Sentences[0]}}","model":"use-lite","encoding_format":"{{encoding}}"}"""));
        ClientResult result = await client.GenerateEmbeddingsAsync(content);
        return JsonNode.Parse(result.GetRawResponse().Content.ToString())!;
    }

    private static float[] Reference(string text) => ReferenceSentence.All.Single(s => s.Text == text).Embedding;

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max() <= Tolerance, "the vector differs from the original model's");
    }
}
