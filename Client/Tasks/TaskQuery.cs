using System.Text;

namespace Neutrino.Client;

/// <summary>Which tasks <see cref="NeutrinoClient.ListAsync"/> lists. Every filter left null matches everything.</summary>
public sealed record TaskQuery
{
    /// <summary>Only tasks in this state.</summary>
    public TaskState? Status { get; init; }

    /// <summary>Only tasks of this name.</summary>
    public string? Name { get; init; }

    /// <summary>Only tasks of this pool.</summary>
    public string? Pool { get; init; }

    /// <summary>Only this tenant's tasks (an admin key only; a member key always lists its own tenant's).</summary>
    public string? Tenant { get; init; }

    /// <summary>Only tasks of this execution mode.</summary>
    public TaskMode? Mode { get; init; }

    /// <summary>Only tasks of this priority.</summary>
    public TaskPriority? Priority { get; init; }

    /// <summary>Only tasks whose current or last attempt ran on this worker.</summary>
    public string? Worker { get; init; }

    /// <summary>Only tasks created at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only tasks created at or before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>A task id or its prefix (8 or more hex digits), or text (3 to 200 characters) found in args, result or error.</summary>
    public string? Search { get; init; }

    /// <summary>At most this many tasks a page, 1 to 500; null leaves it to the gateway (50).</summary>
    public int? Limit { get; init; }

    /// <summary>The <see cref="TaskPage.NextCursor"/> of the previous page, with the same filters.</summary>
    public string? Cursor { get; init; }

    internal string ToPathAndQuery() => ToPathAndQuery(paging: true);

    internal string ToPathAndQuery(bool paging)
    {
        var query = new StringBuilder("tasks");
        var separator = '?';
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                query.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
                separator = '&';
            }
        }
        Add("status", Status is { } status ? WireNames.Of(status) : null);
        Add("name", Name);
        Add("pool", Pool);
        Add("tenant", Tenant);
        Add("mode", Mode is { } mode ? WireNames.Of(mode) : null);
        Add("priority", Priority is { } priority ? WireNames.Of(priority) : null);
        Add("worker", Worker);
        Add("from", From?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Add("to", To?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Add("q", Search);
        if (paging)
        {
            Add("limit", Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Add("cursor", Cursor);
        }
        return query.ToString();
    }
}
