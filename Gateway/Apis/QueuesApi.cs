using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Neutrino.Core.Http;
using Neutrino.Core.Messaging;
using Neutrino.Core.Tasks;
using Neutrino.Gateway.Auth;
using Neutrino.Gateway.Submission;

namespace Neutrino.Gateway.Apis;

/// <summary>A dead letter: a queued task's last message after its attempts ran out, with the error it gave.</summary>
internal sealed record DeadLetterView(ulong Sequence, string Pool, string Task, Guid? TaskId, string? Tenant, string? Error, int? Attempts, DateTimeOffset At, int Bytes);

internal sealed record DeadLetterPage(IReadOnlyList<DeadLetterView> Items, ulong? NextBefore);

internal sealed record PurgeResult(long Purged);

/// <summary>
/// <c>/admin/queues</c> and <c>/admin/dead-letters</c>, admin keys only: JetStream's view of the work
/// queues, and the dead-letter stream's messages, requeued one by one or purged by pool.
/// </summary>
internal static class QueuesApi
{
    public const int MaxDeadLetterPage = 200;

    public static RouteGroupBuilder MapQueuesApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/queues", async (QueueMetrics queues, CancellationToken cancellationToken) =>
            TypedResults.Ok(await queues.ReadAsync(cancellationToken) with { History = queues.History() }));
        admin.MapGet("/dead-letters", ListDeadLettersAsync);
        admin.MapDelete("/dead-letters", PurgeDeadLettersAsync);
        admin.MapPost("/dead-letters/{sequence}/requeue", RequeueDeadLetterAsync);
        return admin;
    }

    /// <summary>Newest first, <paramref name="limit"/> at a time; <paramref name="before"/> is the previous page's <c>next_before</c>.</summary>
    private static async Task<Results<Ok<DeadLetterPage>, ProblemHttpResult>> ListDeadLettersAsync(
        string? pool, int? limit, ulong? before, INatsJSContext js, CancellationToken cancellationToken)
    {
        if (pool is not null && !Pools.Queued.Contains(pool))
        {
            return TaskProblems.BadRequest($"Unknown pool: use {string.Join(", ", Pools.Queued)}.");
        }
        if (limit is < 1 or > MaxDeadLetterPage)
        {
            return TaskProblems.BadRequest($"'limit' must be between 1 and {MaxDeadLetterPage}.");
        }
        var take = limit ?? 50;
        var stream = await js.GetStreamAsync(Subjects.DeadLetterStream, cancellationToken: cancellationToken);
        var last = Math.Min(stream.Info.State.LastSeq, before is { } b and > 0 ? b - 1 : ulong.MaxValue);
        var first = stream.Info.State.FirstSeq;
        var items = new List<DeadLetterView>();
        // Read windows backwards from the newest until the page is full (a pool filter may skip many).
        var end = last;
        while (items.Count < take && end >= first && end > 0)
        {
            var start = end >= first + (ulong)take * 4 ? end - (ulong)take * 4 + 1 : first;
            var window = await ReadAsync(js, start, end, pool, cancellationToken);
            items.AddRange(window.OrderByDescending(d => d.Sequence).Take(take - items.Count));
            if (start == first)
            {
                break;
            }
            end = start - 1;
        }
        var next = items.Count == take && items[^1].Sequence > first ? items[^1].Sequence : (ulong?)null;
        return TypedResults.Ok(new DeadLetterPage(items, next));
    }

    private static async Task<Results<Ok<PurgeResult>, ProblemHttpResult>> PurgeDeadLettersAsync(string? pool, INatsJSContext js, CancellationToken cancellationToken)
    {
        if (pool is null || !Pools.Queued.Contains(pool))
        {
            return TaskProblems.BadRequest($"Name the pool whose dead letters to purge: ?pool= one of {string.Join(", ", Pools.Queued)}.");
        }
        var stream = await js.GetStreamAsync(Subjects.DeadLetterStream, cancellationToken: cancellationToken);
        var purged = await stream.PurgeAsync(new StreamPurgeRequest { Filter = $"neutrino.dead.{pool}.>" }, cancellationToken);
        return TypedResults.Ok(new PurgeResult(purged.Purged));
    }

    /// <summary>The dead letter's task is retried (a new series of attempts), then the letter is removed.</summary>
    private static async Task<IResult> RequeueDeadLetterAsync(
        string sequence, HttpContext context, INatsJSContext js, QueuedTaskSubmitter submitter, CancellationToken cancellationToken)
    {
        if (!ulong.TryParse(sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) || seq == 0)
        {
            return TaskProblems.BadRequest($"'{sequence}' is not a dead letter's sequence number.");
        }
        var letter = (await ReadAsync(js, seq, seq, null, cancellationToken)).FirstOrDefault(d => d.Sequence == seq);
        if (letter is null)
        {
            return TaskProblems.Problem(StatusCodes.Status404NotFound, "Dead letter not found", $"There is no dead letter {seq}; it may have been requeued or purged.");
        }
        if (letter.TaskId is not { } taskId)
        {
            return TaskProblems.Problem(StatusCodes.Status409Conflict, "Dead letter has no task", $"Dead letter {seq} names no task id; purge it instead.");
        }
        var answer = await submitter.RetryAsync(taskId, context.Caller().Describe() + " (from the dead letters)", cancellationToken);
        if (answer is IStatusCodeHttpResult { StatusCode: StatusCodes.Status202Accepted })
        {
            var stream = await js.GetStreamAsync(Subjects.DeadLetterStream, cancellationToken: cancellationToken);
            await stream.DeleteMessageAsync(new StreamMsgDeleteRequest { Seq = seq }, cancellationToken);
        }
        return answer;
    }

    private static async Task<List<DeadLetterView>> ReadAsync(INatsJSContext js, ulong start, ulong end, string? pool, CancellationToken cancellationToken)
    {
        var consumer = await js.CreateOrderedConsumerAsync(Subjects.DeadLetterStream, new NatsJSOrderedConsumerOpts
        {
            DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence,
            OptStartSeq = start,
            FilterSubjects = [pool is null ? "neutrino.dead.>" : $"neutrino.dead.{pool}.>"],
        }, cancellationToken);
        var letters = new List<DeadLetterView>();
        var count = (int)Math.Min(end - start + 1, 1_000);
        await foreach (var msg in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = count }, cancellationToken: cancellationToken))
        {
            if (msg.Metadata is not { } meta || meta.Sequence.Stream > end)
            {
                break;
            }
            var parts = msg.Subject.Split('.', 4);
            var headers = msg.Headers;
            string? Header(string name) => headers is not null && headers.TryGetValue(name, out var v) ? v.ToString() : null;
            letters.Add(new DeadLetterView(
                meta.Sequence.Stream,
                parts.Length > 2 ? parts[2] : "",
                parts.Length > 3 ? parts[3] : "",
                Guid.TryParse(Header(TaskHeaders.TaskId), out var id) ? id : null,
                Header(TaskHeaders.Tenant),
                Header(TaskHeaders.Error),
                int.TryParse(Header(TaskHeaders.Attempts), NumberStyles.None, CultureInfo.InvariantCulture, out var attempts) ? attempts : null,
                meta.Timestamp,
                msg.Data?.Length ?? 0));
        }
        return letters;
    }
}
