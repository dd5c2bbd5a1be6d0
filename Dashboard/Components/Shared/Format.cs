using System.Globalization;
using System.Text.Json;

namespace Neutrino.Dashboard.Components.Shared;

/// <summary>How the pages write times, durations, counts and JSON.</summary>
public static class Format
{
    public static string Time(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) : "";

    public static string Ago(DateTimeOffset at, DateTimeOffset now) => Duration(now - at) + " ago";

    public static string Duration(TimeSpan span) => span.TotalMilliseconds switch
    {
        < 0 => "0 ms",
        < 1_000 => $"{span.TotalMilliseconds:0} ms",
        < 60_000 => $"{span.TotalSeconds:0.0} s",
        < 3_600_000 => $"{(int)span.TotalMinutes} min {span.Seconds} s",
        < 86_400_000 => $"{(int)span.TotalHours} h {span.Minutes} min",
        _ => $"{(int)span.TotalDays} d {span.Hours} h",
    };

    public static string Ms(double ms) => Duration(TimeSpan.FromMilliseconds(ms));

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }; // Razor encodes the text it writes

    public static string Json(JsonElement? value) => value is { } v ? JsonSerializer.Serialize(v, Indented) : "";

    /// <summary>JSON longer than this is folded: shown in a closed details element.</summary>
    public const int FoldAt = 2_000;
}
