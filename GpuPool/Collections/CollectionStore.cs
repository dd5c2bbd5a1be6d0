using Npgsql;
using NpgsqlTypes;

namespace Neutrino.GpuPool.Collections;

/// <summary>A collection as its owner sees it.</summary>
internal sealed record CollectionInfo(string Name, string Model, int Dimensions, int Documents, int Chunks, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A chunk about to be stored: its place in the document and its vector.</summary>
internal sealed record NewChunk(int Start, int Length, int Tokens, string Text, float[] Embedding);

/// <summary>A stored chunk's text and where it came from.</summary>
internal sealed record StoredChunk(string DocumentId, int Chunk, string Text, int Start, int Length, string? Metadata);

/// <summary>Every vector of a collection at one version, in storage order.</summary>
internal sealed record CollectionVectors(long Version, int Dimensions, string[] DocumentIds, int[] Chunks, float[][] Embeddings);

/// <summary>The model a collection was made with is not the one asked for.</summary>
internal sealed class CollectionModelMismatchException(string collection, string model, string asked)
    : Exception($"Collection '{collection}' holds vectors of model '{model}'; its documents cannot be embedded with '{asked}'. Leave 'model' out, or use another collection.");

/// <summary>
/// Collections of document chunks in PostgreSQL (tables <c>collections</c> and <c>collection_chunks</c>),
/// always under a tenant: no statement here reads or writes across tenants.
/// </summary>
internal sealed class CollectionStore(NpgsqlDataSource db)
{
    private const string InfoColumns = """
        c.name, c.model, c.dimensions, c.created_at, c.updated_at,
        (SELECT count(DISTINCT document_id)::int FROM collection_chunks ch WHERE ch.tenant = c.tenant AND ch.collection = c.name),
        (SELECT count(*)::int FROM collection_chunks ch WHERE ch.tenant = c.tenant AND ch.collection = c.name)
        """;

    /// <summary>The model a collection uses and its version, read before each search; null when the tenant has no such collection.</summary>
    public async Task<(string Model, long Version)?> HeadAsync(string tenant, string name, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("SELECT model, version FROM collections WHERE tenant = $1 AND name = $2");
        Bind(command, tenant, name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetInt64(1)) : null;
    }

    public async Task<IReadOnlyList<CollectionInfo>> ListAsync(string tenant, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand($"SELECT {InfoColumns} FROM collections c WHERE c.tenant = $1 ORDER BY c.name");
        Bind(command, tenant);
        return await ReadInfosAsync(command, cancellationToken);
    }

    public async Task<CollectionInfo?> GetAsync(string tenant, string name, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand($"SELECT {InfoColumns} FROM collections c WHERE c.tenant = $1 AND c.name = $2");
        Bind(command, tenant, name);
        return (await ReadInfosAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>
    /// Replaces a document's chunks in one transaction, creating the collection (bound to
    /// <paramref name="model"/>) on its first document. Running it again with the same chunks
    /// leaves the same state, so a retried task does no harm.
    /// </summary>
    public async Task ReplaceDocumentAsync(
        string tenant, string collection, string model, int dimensions, string documentId, string? metadata,
        IReadOnlyList<NewChunk> chunks, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Created if new, then locked: writers of one collection take turns, and its model cannot change under them.
        await using (var ensure = new NpgsqlCommand("""
            INSERT INTO collections (tenant, name, model, dimensions, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (tenant, name) DO NOTHING
            """, connection, transaction))
        {
            Bind(ensure, tenant, collection, model, dimensions, at);
            await ensure.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var lockRow = new NpgsqlCommand("SELECT model FROM collections WHERE tenant = $1 AND name = $2 FOR UPDATE", connection, transaction))
        {
            Bind(lockRow, tenant, collection);
            var existing = (string)(await lockRow.ExecuteScalarAsync(cancellationToken))!;
            if (existing != model)
            {
                throw new CollectionModelMismatchException(collection, existing, model);
            }
        }
        await using (var delete = new NpgsqlCommand("DELETE FROM collection_chunks WHERE tenant = $1 AND collection = $2 AND document_id = $3", connection, transaction))
        {
            Bind(delete, tenant, collection, documentId);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY collection_chunks (tenant, collection, document_id, chunk, text, start, length, tokens, metadata, embedding) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            for (var i = 0; i < chunks.Count; i++)
            {
                var chunk = chunks[i];
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(tenant, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(collection, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(documentId, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(chunk.Text, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(chunk.Start, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(chunk.Length, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(chunk.Tokens, NpgsqlDbType.Integer, cancellationToken);
                if (metadata is null)
                {
                    await copy.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await copy.WriteAsync(metadata, NpgsqlDbType.Jsonb, cancellationToken);
                }
                await copy.WriteAsync(chunk.Embedding, NpgsqlDbType.Array | NpgsqlDbType.Real, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await BumpAsync(connection, transaction, tenant, collection, at, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Removes a document's chunks; false when the collection holds no such document.</summary>
    public async Task<bool> DeleteDocumentAsync(string tenant, string collection, string documentId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var delete = new NpgsqlCommand("DELETE FROM collection_chunks WHERE tenant = $1 AND collection = $2 AND document_id = $3", connection, transaction);
        Bind(delete, tenant, collection, documentId);
        if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return false;
        }
        await BumpAsync(connection, transaction, tenant, collection, at, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Drops a collection and its chunks; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string tenant, string name, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("DELETE FROM collections WHERE tenant = $1 AND name = $2");
        Bind(command, tenant, name);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>Every vector of the collection, read in one snapshot together with the version it belongs to.</summary>
    public async Task<CollectionVectors?> LoadVectorsAsync(string tenant, string name, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        long version;
        int dimensions;
        await using (var head = new NpgsqlCommand("SELECT version, dimensions FROM collections WHERE tenant = $1 AND name = $2", connection, transaction))
        {
            Bind(head, tenant, name);
            await using var reader = await head.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            version = reader.GetInt64(0);
            dimensions = reader.GetInt32(1);
        }
        var documents = new List<string>();
        var chunks = new List<int>();
        var embeddings = new List<float[]>();
        await using (var rows = new NpgsqlCommand("SELECT document_id, chunk, embedding FROM collection_chunks WHERE tenant = $1 AND collection = $2", connection, transaction))
        {
            Bind(rows, tenant, name);
            await using var reader = await rows.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                documents.Add(reader.GetString(0));
                chunks.Add(reader.GetInt32(1));
                embeddings.Add(reader.GetFieldValue<float[]>(2));
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return new CollectionVectors(version, dimensions, [.. documents], [.. chunks], [.. embeddings]);
    }

    /// <summary>The text and metadata of the given chunks, in the order asked; a chunk deleted since is left out.</summary>
    public async Task<IReadOnlyList<StoredChunk>> GetChunksAsync(string tenant, string collection, IReadOnlyList<(string DocumentId, int Chunk)> keys, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("""
            SELECT ch.document_id, ch.chunk, ch.text, ch.start, ch.length, ch.metadata::text
            FROM unnest($3::text[], $4::int[]) WITH ORDINALITY AS k(document_id, chunk, position)
            JOIN collection_chunks ch ON ch.tenant = $1 AND ch.collection = $2 AND ch.document_id = k.document_id AND ch.chunk = k.chunk
            ORDER BY k.position
            """);
        Bind(command, tenant, collection, keys.Select(k => k.DocumentId).ToArray(), keys.Select(k => k.Chunk).ToArray());
        var found = new List<StoredChunk>(keys.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(new StoredChunk(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return found;
    }

    private static void Bind(NpgsqlCommand command, params object[] values)
    {
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
    }

    private static async Task BumpAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenant, string collection, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var bump = new NpgsqlCommand("UPDATE collections SET version = nextval('collection_versions'), updated_at = $3 WHERE tenant = $1 AND name = $2", connection, transaction);
        Bind(bump, tenant, collection, at);
        await bump.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<CollectionInfo>> ReadInfosAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var infos = new List<CollectionInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            infos.Add(new CollectionInfo(reader.GetString(0), reader.GetString(1), reader.GetInt32(2),
                reader.GetInt32(5), reader.GetInt32(6), reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }
        return infos;
    }
}
