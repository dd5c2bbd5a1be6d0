namespace Neutrino.AppHost.Hosting;

/// <summary>A resource's output: to the console with its name in front, and whole to <c>{data}/logs/{name}.log</c>.</summary>
public sealed class ResourceLog : IDisposable
{
    private readonly string _name;
    private readonly ConsoleOutput _console;
    private readonly StreamWriter _file;
    private readonly Lock _lock = new();
    private bool _disposed;

    internal ResourceLog(string name, string path, ConsoleOutput console)
    {
        _name = name;
        _console = console;
        Path = path;
        _file = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        _file.WriteLine($"----- {DateTimeOffset.Now:O} -----");
    }

    public string Path { get; }

    public void Write(string line) => Write(_name, line);

    public void Write(string prefix, string line)
    {
        _console.WriteLine(prefix, line);
        lock (_lock)
        {
            if (!_disposed)
            {
                _file.WriteLine(line);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _file.Dispose();
        }
    }
}
