using System.Text.Json;
using Neutrino.Core.Workers;
using Neutrino.Embeddings;
using Neutrino.GpuPool.Collections;

namespace Neutrino.GpuPool.Tasks;

internal sealed record DocumentArgs(string? Id = null, string? Text = null, JsonElement? Metadata = null);

internal sealed record EmbedDocumentsArgs(
    string? Collection = null,
    IReadOnlyList<DocumentArgs?>? Documents = null,
    string? Model = null,
    int? ChunkSize = null,
    int? ChunkOverlap = null);

internal sealed record EmbeddedDocument(string Id, int Chunks);

internal sealed record EmbedDocumentsResult(string Collection, string Model, int Chunks, int PromptTokens, IReadOnlyList<EmbeddedDocument> Documents);

/// <summary>
/// The <c>embed_documents</c> gpu task: cuts each document into chunks of the model's tokens (see
/// <see cref="EmbeddingEngine.Chunk"/>), embeds them, and stores them in the caller's collection,
/// replacing what that document had there. A collection keeps the model of its first document.
/// Documents are stored one by one, each in one transaction, with progress after each; a retry
/// stores them again, to the same result.
/// </summary>
internal sealed class EmbedDocumentsTask(EmbeddingEngine engine, CollectionStore store, TimeProvider time) : TaskHandler<EmbedDocumentsArgs, EmbedDocumentsResult>
{
    public override async Task<EmbedDocumentsResult> RunAsync(EmbedDocumentsArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        var tenant = context.Tenant
            ?? throw new TaskArgumentException("embed_documents keeps chunks in the caller's collections, so it must be submitted through the gateway with an API key.");
        var documents = Validate(args);
        var collection = args.Collection!;

        // A collection's vectors all come from one model: its own unless the args name one, which must then match.
        var asked = string.IsNullOrEmpty(args.Model) ? null : args.Model;
        var existing = (await store.HeadAsync(tenant, collection, cancellationToken))?.Model;
        if (existing is not null && asked is not null && asked != existing)
        {
            throw new TaskArgumentException(new CollectionModelMismatchException(collection, existing, asked).Message);
        }
        var model = existing ?? asked ?? engine.Options.DefaultModel;

        // Every document is cut before any is embedded: a task that would store too much is refused whole.
        var chunked = documents.Select(document => EngineRefusals.AsArgumentErrors(() => engine.Chunk(document.Text!, model, args.ChunkSize, args.ChunkOverlap))).ToList();
        var total = chunked.Sum(c => c.Count);
        if (total > engine.Options.MaxChunksPerTask)
        {
            throw new TaskArgumentException(
                $"'documents' make {total} chunks; one task stores at most {engine.Options.MaxChunksPerTask} (MaxChunksPerTask): split them over several tasks or use a larger 'chunk_size'.");
        }

        var stored = new List<EmbeddedDocument>(documents.Count);
        var promptTokens = 0;
        for (var d = 0; d < documents.Count; d++)
        {
            var document = documents[d];
            var chunks = chunked[d];
            var texts = chunks.Select(c => c.TextOf(document.Text!)).ToList();
            var vectors = new List<float[]>(texts.Count);
            foreach (var slice in texts.Chunk(engine.Options.MaxInputsPerRequest))
            {
                var result = await EngineRefusals.AsArgumentErrorsAsync(() => engine.EmbedAsync(EmbeddingInput.FromTexts(slice) with { Name = $"documents[{d}].text" }, model, null, cancellationToken));
                vectors.AddRange(result.Vectors);
                promptTokens += result.PromptTokens;
            }
            var metadata = document.Metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : null;
            try
            {
                await store.ReplaceDocumentAsync(tenant, collection, model, vectors[0].Length, document.Id!, metadata,
                    [.. chunks.Select((c, i) => new NewChunk(c.Start, c.Length, c.Tokens, texts[i], vectors[i]))], time.GetUtcNow(), cancellationToken);
            }
            catch (CollectionModelMismatchException ex)
            {
                // Another task made the collection with another model in the meantime.
                throw new TaskArgumentException(ex.Message, ex);
            }
            stored.Add(new EmbeddedDocument(document.Id!, chunks.Count));
            await context.ReportProgressAsync((d + 1) / (double)documents.Count, $"{d + 1} of {documents.Count} documents stored", cancellationToken);
        }
        return new EmbedDocumentsResult(collection, model, stored.Sum(s => s.Chunks), promptTokens, stored);
    }

    /// <summary>Every document is checked before any is embedded, so bad args fail at once and store nothing.</summary>
    private static IReadOnlyList<DocumentArgs> Validate(EmbedDocumentsArgs args)
    {
        if (CollectionNames.CheckCollection(args.Collection) is { } collectionError)
        {
            throw new TaskArgumentException($"'collection': {collectionError}.");
        }
        if (args.Documents is not { Count: > 0 } documents)
        {
            throw new TaskArgumentException("'documents' is required: a non-empty array of {\"id\", \"text\", \"metadata\"?} objects.");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < documents.Count; i++)
        {
            var document = documents[i] ?? throw new TaskArgumentException($"'documents[{i}]' must be an object with 'id' and 'text'.");
            if (CollectionNames.CheckDocumentId(document.Id) is { } idError)
            {
                throw new TaskArgumentException($"'documents[{i}].id': {idError}.");
            }
            if (!ids.Add(document.Id!))
            {
                throw new TaskArgumentException($"'documents[{i}].id': '{document.Id}' appears twice; each document once per task.");
            }
            if (string.IsNullOrWhiteSpace(document.Text))
            {
                throw new TaskArgumentException($"'documents[{i}].text' must be a non-empty string.");
            }
            if (document.Metadata is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
            {
                throw new TaskArgumentException($"'documents[{i}].metadata' must be a JSON object.");
            }
        }
        return documents!;
    }
}
