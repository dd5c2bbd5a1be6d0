namespace Neutrino.Tests.Infrastructure;

/// <summary>Waits for a condition that becomes true by itself (a gauge read on a timer, say), within a bound.</summary>
public static class Eventually
{
    private static readonly TimeSpan ReadAgainAfter = TimeSpan.FromMilliseconds(250);

    /// <summary>Reads until <paramref name="done"/> holds for what was read, and returns it; fails with <paramref name="what"/> and the last reading past <paramref name="bound"/>.</summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan bound, string what)
    {
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{what} within {bound}; last read:\n{value}");
            await Task.Delay(ReadAgainAfter);
        }
    }
}
