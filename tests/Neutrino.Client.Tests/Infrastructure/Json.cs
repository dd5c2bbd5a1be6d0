namespace Neutrino.Client.Tests.Infrastructure;

/// <summary>Answers as the gateway writes them.</summary>
internal static class Json
{
    public const string TaskId = "01a23646-4722-7d76-bb59-2241b30553dc";

    public static string Task(string status, string result = "null", string error = "null", string id = TaskId) => $$"""
        {"id":"{{id}}","name":"sleep","mode":"async","pool":"async","status":"{{status}}","priority":"high",
         "args":{"ms":20000},"result":{{result}},"error":{{error}},"attempts":1,"max_attempts":3,
         "progress":0.5,"progress_message":"halfway","created_at":"2026-12-02T10:21:45.124635+00:00",
         "started_at":"2026-12-02T10:21:45.409042+00:00","completed_at":null,"duration_ms":null,
         "worker_id":"asyncpool-eykxtwfe/4364-0239","trace_id":"78c87ccf906a3b52f4f443cbb48128e4","tenant":"default"}
        """;

    public static string Accepted(string id = TaskId) => $$"""{"task_id":"{{id}}","status":"queued","poll_url":"/tasks/{{id}}"}""";
}
