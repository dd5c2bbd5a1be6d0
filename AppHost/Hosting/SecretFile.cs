using System.Text;

namespace Neutrino.AppHost.Hosting;

/// <summary>
/// Writes a file only its owner may read, with that mode from the moment it exists (never written
/// first and narrowed after), and in place atomically: a reader sees the old file or the new one.
/// </summary>
internal static class SecretFile
{
    private static readonly FileStreamOptions OwnerOnly = new()
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
    };

    public static async Task WriteAsync(string path, string content, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        await using (var stream = new FileStream(temporary, OwnerOnly))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(content), cancellationToken);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public static void Write(string path, string content, bool overwrite = true)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, OwnerOnly))
        {
            stream.Write(Encoding.UTF8.GetBytes(content));
        }
        File.Move(temporary, path, overwrite);
    }
}
