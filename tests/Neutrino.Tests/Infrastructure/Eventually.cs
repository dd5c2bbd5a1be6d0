namespace Neutrino.Tests.Infrastructure;

/// <summary>Waits for a condition that becomes true by itself (a gauge read on a timer, say), within a bound.</summary>
public static class Eventually
{
    private static readonly TimeSpan ReadAgainAfter = TimeSpan.FromMilliseconds(250);

    /// <summary>Waits until <paramref name="condition"/> holds; fails past <paramref name="bound"/> with <paramref name="what"/>, asked then (it can say the last state seen).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan bound, Func<string> what, TimeSpan? readAgainAfter = null)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what()} (waited {bound})");
            await Task.Delay(readAgainAfter ?? ReadAgainAfter);
        }
    }

    /// <summary>Reads until <paramref name="done"/> holds for what was read, and returns it; fails with <paramref name="what"/> and the last reading past <paramref name="bound"/>.</summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan bound, string what)
    {
        var value = default(T)!;
        await UntilAsync(async () => done(value = await read()), bound, () => $"{what}; last read:\n{value}\n");
        return value;
    }
}
