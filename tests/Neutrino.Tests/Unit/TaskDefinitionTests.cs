using Neutrino.Core.Json;
using Neutrino.Core.Tasks;

namespace Neutrino.Tests.Unit;

public sealed class TaskDefinitionTests
{
    [Theory]
    [InlineData(TaskMode.Sync, "fast")]
    [InlineData(TaskMode.Async, "async")]
    [InlineData(TaskMode.Gpu, "gpu")]
    public void Each_mode_is_served_by_its_pool(TaskMode mode, string pool)
    {
        var definition = new TaskDefinition("t", mode, TimeSpan.FromSeconds(1), 1);
        Assert.Equal(pool, definition.Pool);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("with.dot")]
    [InlineData("with space")]
    [InlineData("wild*")]
    [InlineData("-leading")]
    [InlineData("a1234567890123456789012345678901234567890123456789012345678901234")]
    public void Names_that_cannot_be_subject_tokens_are_refused(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new TaskDefinition(name, TaskMode.Async, TimeSpan.FromSeconds(1), 1));
        Assert.Contains("is invalid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_must_make_sense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskDefinition("t", TaskMode.Async, TimeSpan.Zero, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskDefinition("t", TaskMode.Async, TimeSpan.FromSeconds(1), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskDefinition("t", TaskMode.Sync, TimeSpan.FromSeconds(1), 3));
    }

    [Fact]
    public void A_catalog_entry_round_trips_and_rejects_what_it_does_not_understand()
    {
        var definition = new TaskDefinition("sleep", TaskMode.Async, TimeSpan.FromMinutes(10), 3);
        var back = CatalogEntry.From(definition).ToDefinition();
        Assert.NotNull(back);
        Assert.Equal((definition.Name, definition.Mode, definition.Timeout, definition.MaxAttempts), (back.Name, back.Mode, back.Timeout, back.MaxAttempts));

        Assert.Null(new CatalogEntry("sleep", "quantum", "async", 1000, 1).ToDefinition());
        Assert.Null(new CatalogEntry("Bad.Name", "async", "async", 1000, 1).ToDefinition());
        Assert.Null(new CatalogEntry("sleep", "async", "async", 0, 1).ToDefinition());
    }

    [Theory]
    [InlineData("queued", TaskState.Queued)]
    [InlineData("cancelled", TaskState.Cancelled)]
    public void Wire_names_parse(string name, TaskState state)
    {
        Assert.True(WireNames.TryParse(name, out TaskState parsed));
        Assert.Equal(state, parsed);
        Assert.Equal(name, WireNames.Of(state));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("Queued")]
    [InlineData("")]
    [InlineData(null)]
    public void Wire_names_are_lower_case_names_only(string? name) => Assert.False(WireNames.TryParse(name, out TaskState _));

    [Fact]
    public void Only_completed_failed_and_cancelled_are_terminal()
    {
        Assert.Equal(
            [TaskState.Completed, TaskState.Failed, TaskState.Cancelled],
            Enum.GetValues<TaskState>().Where(s => s.IsTerminal()));
    }

    [Theory]
    [InlineData(long.MaxValue, 3)]
    [InlineData(9_000_000_000_000L, 3)]
    [InlineData(0L, 3)]
    [InlineData(1000L, int.MaxValue)]
    [InlineData(1000L, 0)]
    public void A_catalog_entry_with_absurd_limits_is_not_a_definition(long timeoutMs, int maxAttempts) =>
        Assert.Null(new CatalogEntry("absurd", "async", "async", timeoutMs, maxAttempts).ToDefinition());

    [Fact]
    public void A_catalog_entry_within_the_limits_is_a_definition() =>
        Assert.Equal(TaskDefinition.MaxTimeout, new CatalogEntry("long", "async", "async", (long)TaskDefinition.MaxTimeout.TotalMilliseconds, 1000).ToDefinition()!.Timeout);
}
