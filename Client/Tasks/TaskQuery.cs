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

    /// <summary>At most this many tasks a page, 1 to 500; null leaves it to the gateway (50).</summary>
    public int? Limit { get; init; }

    /// <summary>The <see cref="TaskPage.NextCursor"/> of the previous page, with the same filters.</summary>
    public string? Cursor { get; init; }

    internal string ToPathAndQuery()
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
        Add("limit", Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("cursor", Cursor);
        return query.ToString();
    }
}
