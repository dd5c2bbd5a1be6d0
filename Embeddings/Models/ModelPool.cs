using Microsoft.Extensions.Logging;
using Neutrino.Embeddings.Runtime;

namespace Neutrino.Embeddings.Models;

/// <summary>A model the pool can serve, loaded or not.</summary>
public sealed record ModelInfo(string Name, int Dimensions, int MaxTokens, string? Source, string? License, bool Loaded, long CreatedUnixSeconds);

/// <summary>
/// The models under the models directory, loaded on first use and kept in a pool bounded by count
/// and by bytes: the least recently used one unloads to make room, and any unloads when idle. A
/// model in use is never disposed under its users: it goes when its last lease ends.
/// </summary>
internal sealed partial class ModelPool(EmbeddingOptions options, SessionFactory sessions, TimeProvider time, ILogger logger) : IDisposable
{
    private static readonly TimeSpan Rescan = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _loaded = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lock> _loadLocks = new(StringComparer.Ordinal);
    private Dictionary<string, (string Directory, ModelManifest Manifest)> _catalog = new(StringComparer.Ordinal);
    private long _scannedAt = long.MinValue;

    public IReadOnlyList<ModelInfo> List()
    {
        ScanIfStale(force: true);
        lock (_lock)
        {
            return [.. _catalog.Values.OrderBy(m => m.Manifest.Name, StringComparer.Ordinal).Select(m => new ModelInfo(
                m.Manifest.Name, m.Manifest.Dimensions, m.Manifest.MaxTokens, m.Manifest.Source, m.Manifest.License,
                _loaded.ContainsKey(m.Manifest.Name), new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Combine(m.Directory, ModelManifest.FileName))).ToUnixTimeSeconds()))];
        }
    }

    /// <summary>The model, loading it if needed; dispose the lease when done with it.</summary>
    public ModelLease Acquire(string name)
    {
        lock (_lock)
        {
            if (_loaded.TryGetValue(name, out var loaded))
            {
                return loaded.Lease(time.GetTimestamp());
            }
        }
        ScanIfStale(force: false);
        (string Directory, ModelManifest Manifest) found;
        lock (_lock)
        {
            if (!_catalog.TryGetValue(name, out found))
            {
                throw new EmbeddingException(EmbeddingErrorKind.ModelNotFound,
                    $"The model '{name}' does not exist. Available: {string.Join(", ", _catalog.Keys.Order(StringComparer.Ordinal))}.", "model", "model_not_found");
            }
        }
        // Loading takes a while; a second caller for the same model waits for the first.
        lock (_loadLocks.GetOrAdd(name, _ => new Lock()))
        {
            lock (_lock)
            {
                if (_loaded.TryGetValue(name, out var loaded))
                {
                    return loaded.Lease(time.GetTimestamp());
                }
            }
            var started = time.GetTimestamp();
            var model = EmbeddingModel.Load(found.Directory, found.Manifest, sessions);
            var took = time.GetElapsedTime(started).TotalMilliseconds;
            LogLoaded(logger, name, model.SizeBytes / (1 << 20), took);
            lock (_lock)
            {
                MakeRoom(model.SizeBytes);
                var entry = new Entry(model);
                _loaded[name] = entry;
                return entry.Lease(time.GetTimestamp());
            }
        }
    }

    /// <summary>Unloads models idle for longer than <see cref="EmbeddingOptions.UnloadWhenIdleFor"/>.</summary>
    public void UnloadIdle()
    {
        if (options.UnloadWhenIdleFor <= TimeSpan.Zero)
        {
            return;
        }
        lock (_lock)
        {
            foreach (var (name, entry) in _loaded.Where(e => time.GetElapsedTime(e.Value.LastUsed) > options.UnloadWhenIdleFor).ToList())
            {
                LogUnloaded(logger, name, "idle");
                _loaded.Remove(name);
                entry.Retire();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var entry in _loaded.Values)
            {
                entry.Retire();
            }
            _loaded.Clear();
        }
    }

    private void MakeRoom(long bytes)
    {
        while (_loaded.Count > 0 && (_loaded.Count >= options.MaxLoadedModels || _loaded.Values.Sum(e => e.Model.SizeBytes) + bytes > options.MaxLoadedBytes))
        {
            var (name, victim) = _loaded.MinBy(e => e.Value.LastUsed);
            LogUnloaded(logger, name, "room for another model");
            _loaded.Remove(name);
            victim.Retire();
        }
    }

    private void ScanIfStale(bool force)
    {
        lock (_lock)
        {
            if (!force && _scannedAt != long.MinValue && time.GetElapsedTime(_scannedAt) < Rescan)
            {
                return;
            }
            _scannedAt = time.GetTimestamp();
        }
        var catalog = new Dictionary<string, (string, ModelManifest)>(StringComparer.Ordinal);
        if (Directory.Exists(options.ModelsDirectory))
        {
            foreach (var directory in Directory.EnumerateDirectories(options.ModelsDirectory).Where(d => File.Exists(Path.Combine(d, ModelManifest.FileName))))
            {
                try
                {
                    var manifest = ModelManifest.Read(directory);
                    catalog[manifest.Name] = (directory, manifest);
                }
                catch (InvalidDataException ex)
                {
                    LogBadManifest(logger, directory, ex.Message);
                }
            }
        }
        lock (_lock)
        {
            _catalog = catalog;
        }
    }

    private sealed class Entry(EmbeddingModel model)
    {
        private int _leases;
        private bool _retired;

        public EmbeddingModel Model { get; } = model;

        public long LastUsed { get; private set; }

        public ModelLease Lease(long now)
        {
            LastUsed = now;
            Interlocked.Increment(ref _leases);
            return new ModelLease(Model, Release);
        }

        public void Retire()
        {
            _retired = true;
            if (Volatile.Read(ref _leases) == 0)
            {
                Model.Dispose();
            }
        }

        private void Release()
        {
            if (Interlocked.Decrement(ref _leases) == 0 && _retired)
            {
                Model.Dispose();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {Model} ({SizeMb} MiB) in {Milliseconds:0} ms")]
    private static partial void LogLoaded(ILogger logger, string model, long sizeMb, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded model {Model}: {Reason}")]
    private static partial void LogUnloaded(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping the model in {Directory}: {Problem}")]
    private static partial void LogBadManifest(ILogger logger, string directory, string problem);
}

/// <summary>A model in use; disposing it lets the pool unload the model.</summary>
internal sealed class ModelLease(EmbeddingModel model, Action release) : IDisposable
{
    private int _released;

    public EmbeddingModel Model { get; } = model;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            release();
        }
    }
}
