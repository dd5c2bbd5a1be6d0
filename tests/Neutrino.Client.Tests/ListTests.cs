using System.Net;
using Neutrino.Client.Tests.Infrastructure;

namespace Neutrino.Client.Tests;

public sealed class ListTests
{
    private static string Page(string? next, params string[] ids) =>
        $$"""{"items":[{{string.Join(",", ids.Select(id => Json.Task("completed", result: "1", id: id)))}}],"next_cursor":{{(next is null ? "null" : $"\"{next}\"")}}}""";

    [Fact]
    public async Task List_reads_a_page_and_its_cursor()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, Page("c-1", "a", "b"));

        var page = await Clients.Over(stub).ListAsync(new TaskQuery { Limit = 2 });

        Assert.Equal(["a", "b"], page.Items.Select(t => t.Id));
        Assert.Equal("c-1", page.NextCursor);
    }

    [Fact]
    public async Task ListAll_follows_cursors_with_the_same_filters_and_stops_at_the_last_page()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.OK, Page("c-1", "a", "b"))
            .ThenJson(HttpStatusCode.OK, Page("c-2", "c"))
            .ThenJson(HttpStatusCode.OK, Page(null, "d"));
        var query = new TaskQuery { Status = TaskState.Completed, Name = "sleep", Limit = 2 };

        var ids = new List<string>();
        await foreach (var task in Clients.Over(stub).ListAllAsync(query))
        {
            ids.Add(task.Id);
        }

        Assert.Equal(["a", "b", "c", "d"], ids);
        Assert.Equal(
            [
                "/tasks?status=completed&name=sleep&limit=2",
                "/tasks?status=completed&name=sleep&limit=2&cursor=c-1",
                "/tasks?status=completed&name=sleep&limit=2&cursor=c-2",
            ],
            stub.Sent.Select(s => s.PathAndQuery));
    }

    [Fact]
    public async Task ListAll_fetches_a_page_only_when_the_enumeration_reaches_it()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, Page("c-1", "a", "b"));

        await foreach (var task in Clients.Over(stub).ListAllAsync())
        {
            Assert.Equal("a", task.Id);
            break;
        }

        Assert.Single(stub.Sent);
    }

    [Fact]
    public async Task ListAll_of_nothing_is_one_empty_page()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.OK, Page(null));

        var count = 0;
        await foreach (var _ in Clients.Over(stub).ListAllAsync())
        {
            count++;
        }

        Assert.Equal(0, count);
        Assert.Single(stub.Sent);
    }

    [Fact]
    public async Task ListAll_refuses_a_cursor_that_would_loop_forever()
    {
        var stub = new StubHandler()
            .ThenJson(HttpStatusCode.OK, Page("c-1", "a"))
            .ThenJson(HttpStatusCode.OK, Page("c-1", "a"));

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in Clients.Over(stub).ListAllAsync())
            {
            }
        });
        Assert.Equal(2, stub.Sent.Count);
    }
}
