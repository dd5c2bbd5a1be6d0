using Npgsql;

namespace Neutrino.Tests.Infrastructure;

/// <summary>Reads a task's history straight from PostgreSQL.</summary>
public static class History
{
    /// <summary>The task's events in order, each as "status:attempt".</summary>
    public static Task<List<string>> EventsAsync(string connectionString, Guid id) =>
        ReadAsync(connectionString, id, "SELECT status || ':' || attempt FROM task_events WHERE task_id = $1 ORDER BY id");

    /// <summary>The details of the task's events that have one, in order.</summary>
    public static Task<List<string>> DetailsAsync(string connectionString, Guid id) =>
        ReadAsync(connectionString, id, "SELECT detail FROM task_events WHERE task_id = $1 AND detail IS NOT NULL ORDER BY id");

    private static async Task<List<string>> ReadAsync(string connectionString, Guid id, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection)
        {
            Parameters = { new() { Value = id } },
        };
        var events = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events.Add(reader.GetString(0));
        }
        return events;
    }
}
