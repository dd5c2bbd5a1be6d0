using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Neutrino.Client;

public sealed partial class NeutrinoClient
{
    /// <summary>The task catalog: every task the gateway can run, with its mode, pool, timeout and attempts (<c>GET /api</c>).</summary>
    public Task<IReadOnlyList<CatalogEntry>> CatalogAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api", null, ClientJsonContext.Default.IReadOnlyListCatalogEntry, taskCall: false, cancellationToken);

    /// <inheritdoc cref="RunAsync{TArgs, TResult}(string, TArgs, SubmitOptions?, CancellationToken)" />
    public Task<SyncResult<TResult>> RunAsync<TArgs, TResult>(string task, TArgs args, CancellationToken cancellationToken = default) =>
        RunAsync<TArgs, TResult>(task, args, null, cancellationToken);

    /// <summary>
    /// Runs task <paramref name="task"/> and answers its result. A sync task is answered in the same request. A task
    /// the gateway queues instead (async or gpu) is waited for, with no time limit but <paramref name="cancellationToken"/>;
    /// for those, <see cref="SubmitAsync{TArgs}(string, TArgs, SubmitOptions?, CancellationToken)"/> and
    /// <see cref="WaitAsync"/> give more control.
    /// </summary>
    /// <param name="task">The task's name in the catalog.</param>
    /// <param name="args">The arguments, serialized with the client's serializer options (snake_case by default).</param>
    /// <param name="options">Priority and idempotency key; null for neither.</param>
    /// <param name="cancellationToken">Stops waiting. It does not cancel the task: <see cref="CancelAsync"/> does.</param>
    /// <exception cref="TaskFailedException">The task failed (or, when it was queued, was cancelled).</exception>
    /// <exception cref="TaskTimedOutException">The sync task ran past its timeout.</exception>
    /// <exception cref="TaskNotFoundException">No task of that name is in the catalog.</exception>
    /// <exception cref="NeutrinoApiException">Any other error answer; see its subclasses.</exception>
    public async Task<SyncResult<TResult>> RunAsync<TArgs, TResult>(
        string task, TArgs args, SubmitOptions? options, CancellationToken cancellationToken = default)
    {
        var submitted = await SubmitCoreAsync(task, args, options, cancellationToken).ConfigureAwait(false);
        if (submitted.Answer is { } answer)
        {
            return new SyncResult<TResult>(
                answer.TaskId, answer.Name, Deserialize<TResult>(answer.Result), answer.DurationMs, answer.WorkerId ?? "", submitted.Handle.IsReplayed);
        }
        var done = await WaitAsync(submitted.Handle.Id, timeout: null, cancellationToken).ConfigureAwait(false);
        if (done.Status is not TaskState.Completed)
        {
            // The same answer the gateway gives when a sync task fails, so callers handle both alike.
            var title = done.Status is TaskState.Cancelled ? "Task cancelled" : "Task failed";
            throw new TaskFailedException(HttpStatusCode.InternalServerError, title, done.Error ?? $"Task {done.Id} ended {WireNames.Of(done.Status)}.", done.Id);
        }
        return new SyncResult<TResult>(
            done.Id, done.Name, Deserialize<TResult>(done.Result), done.DurationMs ?? 0, done.WorkerId ?? "", submitted.Handle.IsReplayed);
    }

    /// <inheritdoc cref="SubmitAsync{TArgs}(string, TArgs, SubmitOptions?, CancellationToken)" />
    public Task<TaskHandle> SubmitAsync<TArgs>(string task, TArgs args, CancellationToken cancellationToken = default) =>
        SubmitAsync(task, args, null, cancellationToken);

    /// <summary>
    /// Submits task <paramref name="task"/> (<c>POST /api/{task}</c>) and answers as soon as the gateway has accepted it:
    /// for a queued task once it is durable, with <see cref="TaskState.Queued"/>; for a sync task once it has run, with
    /// <see cref="TaskState.Completed"/>. Follow it up with <see cref="TaskHandle.WaitAsync"/>.
    /// </summary>
    /// <param name="task">The task's name in the catalog.</param>
    /// <param name="args">The arguments, serialized with the client's serializer options (snake_case by default).</param>
    /// <param name="options">Priority and idempotency key; null for neither.</param>
    /// <param name="cancellationToken">Abandons the request; the gateway may have accepted the task all the same, which an idempotency key makes safe to find out by sending again.</param>
    /// <exception cref="ArgumentException"><see cref="SubmitOptions.IdempotencyKey"/> is not a key the gateway accepts.</exception>
    /// <exception cref="TaskFailedException">A sync task failed.</exception>
    /// <exception cref="TaskTimedOutException">A sync task ran past its timeout.</exception>
    /// <exception cref="TaskNotFoundException">No task of that name is in the catalog.</exception>
    /// <exception cref="ConflictException">A submission with the same idempotency key is still in flight: send again shortly.</exception>
    /// <exception cref="ValidationException">The body is malformed or too large, or the idempotency key was used with another task or body.</exception>
    /// <exception cref="RateLimitedException">The tenant is over its rate or queued maximum.</exception>
    /// <exception cref="ServiceUnavailableException">The task was not accepted because a dependency is down.</exception>
    public async Task<TaskHandle> SubmitAsync<TArgs>(
        string task, TArgs args, SubmitOptions? options, CancellationToken cancellationToken = default) =>
        (await SubmitCoreAsync(task, args, options, cancellationToken).ConfigureAwait(false)).Handle;

    /// <summary>The task as it stands now (<c>GET /tasks/{id}</c>).</summary>
    /// <exception cref="TaskNotFoundException">No task has that id, or it is another tenant's.</exception>
    public Task<TaskInfo> GetAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"tasks/{Segment(id, nameof(id))}", null, ClientJsonContext.Default.TaskInfo, taskCall: true, cancellationToken);

    /// <summary>
    /// The task once it is final, by long polls of up to <see cref="NeutrinoClientOptions.LongPollWait"/> each
    /// (<c>GET /tasks/{id}?wait=N</c>). When <paramref name="timeout"/> passes first, the task as it stands then: check
    /// <see cref="TaskInfo.IsTerminal"/>. A long poll refused for too many waiting (<c>429</c>) is sent again after its
    /// <c>Retry-After</c>.
    /// </summary>
    /// <param name="id">The task id.</param>
    /// <param name="timeout">How long to wait at most; null waits until the task is final or <paramref name="cancellationToken"/> is cancelled.</param>
    /// <param name="cancellationToken">Stops waiting. It does not cancel the task: <see cref="CancelAsync"/> does.</param>
    /// <exception cref="TaskNotFoundException">No task has that id, or it is another tenant's.</exception>
    public async Task<TaskInfo> WaitAsync(string id, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var path = $"tasks/{Segment(id, nameof(id))}?wait=";
        if (timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout cannot be negative.");
        }
        var deadline = timeout is { } limit ? _time.GetUtcNow() + limit : (DateTimeOffset?)null;
        while (true)
        {
            // A handler may answer a cancelled request without looking at the token; the loop does not go on regardless.
            cancellationToken.ThrowIfCancellationRequested();
            var left = deadline - _time.GetUtcNow();
            var wait = left < _longPollWait ? left.Value : _longPollWait;
            // Whole seconds, rounded up, so the last poll still reaches the deadline; 0 is a plain read.
            var seconds = wait <= TimeSpan.Zero ? 0 : (int)Math.Ceiling(wait.TotalSeconds);
            TaskInfo view;
            try
            {
                view = await SendAsync(
                    HttpMethod.Get, path + seconds.ToString(CultureInfo.InvariantCulture), null, ClientJsonContext.Default.TaskInfo, taskCall: true, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (RateLimitedException refused) when (!(deadline <= _time.GetUtcNow()))
            {
                var pause = refused.RetryAfter ?? TimeSpan.FromSeconds(1);
                var remaining = deadline - _time.GetUtcNow();
                if (remaining < pause)
                {
                    pause = remaining.Value;
                }
                await Task.Delay(pause > TimeSpan.Zero ? pause : TimeSpan.Zero, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (view.IsTerminal || deadline <= _time.GetUtcNow())
            {
                return view;
            }
        }
    }

    /// <summary>
    /// Cancels the task (<c>DELETE /tasks/{id}</c>). A queued task is cancelled at once and never runs: the answer has
    /// <see cref="TaskState.Cancelled"/>. A running one is asked to stop: the answer has <see cref="TaskState.Running"/>,
    /// and <see cref="WaitAsync"/> shows it end <see cref="TaskState.Cancelled"/> once its handler has stopped.
    /// </summary>
    /// <exception cref="ConflictException">The task has already finished.</exception>
    /// <exception cref="TaskNotFoundException">No task has that id, or it is another tenant's.</exception>
    public Task<TaskInfo> CancelAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"tasks/{Segment(id, nameof(id))}", null, ClientJsonContext.Default.TaskInfo, taskCall: true, cancellationToken);

    /// <summary>
    /// Retries a failed queued task (<c>POST /tasks/{id}/retry</c>): a new series of attempts under the same id.
    /// </summary>
    /// <exception cref="ConflictException">The task is not failed.</exception>
    /// <exception cref="TaskNotFoundException">No task has that id, or it is another tenant's.</exception>
    public async Task<TaskHandle> RetryAsync(string id, CancellationToken cancellationToken = default)
    {
        var accepted = await SendAsync(
            HttpMethod.Post, $"tasks/{Segment(id, nameof(id))}/retry", null, ClientJsonContext.Default.TaskAccepted, taskCall: true, cancellationToken)
            .ConfigureAwait(false);
        return new TaskHandle(this, accepted.TaskId, accepted.Status, isReplayed: false);
    }

    /// <summary>One page of tasks, newest first (<c>GET /tasks</c>). Pass <see cref="TaskPage.NextCursor"/> back as <see cref="TaskQuery.Cursor"/> for the next.</summary>
    /// <param name="query">Filters, page size and cursor; null for the first page of every task the key may see.</param>
    /// <param name="cancellationToken">Abandons the request.</param>
    /// <exception cref="ValidationException">A filter or the limit is out of range, or the cursor is not one.</exception>
    /// <exception cref="UnauthorizedException">A member key asked for another tenant's tasks.</exception>
    public Task<TaskPage> ListAsync(TaskQuery? query = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, (query ?? new TaskQuery()).ToPathAndQuery(), null, ClientJsonContext.Default.TaskPage, taskCall: false, cancellationToken);

    /// <summary>
    /// Deletes finished tasks <paramref name="query"/> matches, with their history (<c>DELETE /tasks</c>):
    /// at most <paramref name="limit"/> (the gateway's default 1,000 when null, 10,000 at most), oldest first.
    /// The query's <see cref="TaskQuery.Status"/> must be completed, failed or cancelled; its limit and cursor are not used.
    /// Call again while <see cref="TasksDeleted.More"/>.
    /// </summary>
    /// <exception cref="ValidationException">The status is missing or not a finished state, or a filter is out of range.</exception>
    /// <exception cref="UnauthorizedException">A member key named another tenant.</exception>
    public Task<TasksDeleted> DeleteFinishedAsync(TaskQuery query, int? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var path = query.ToPathAndQuery(paging: false);
        if (limit is { } n)
        {
            path += (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "limit=" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return SendAsync(HttpMethod.Delete, path, null, ClientJsonContext.Default.TasksDeleted, taskCall: false, cancellationToken);
    }

    /// <summary>
    /// Every task <paramref name="query"/> matches, newest first, one page at a time as the enumeration reaches it:
    /// <see cref="ListAsync"/> following <see cref="TaskPage.NextCursor"/> until the last page.
    /// </summary>
    /// <param name="query">Filters and page size; its cursor, if any, is where to start.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    public async IAsyncEnumerable<TaskInfo> ListAllAsync(
        TaskQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = query ?? new TaskQuery();
        while (true)
        {
            var page = await ListAsync(next, cancellationToken).ConfigureAwait(false);
            foreach (var task in page.Items)
            {
                yield return task;
            }
            if (page.NextCursor is null)
            {
                yield break;
            }
            if (page.NextCursor == next.Cursor)
            {
                throw new InvalidOperationException($"The gateway answered cursor '{page.NextCursor}' for the page it starts: listing would never end.");
            }
            next = next with { Cursor = page.NextCursor };
        }
    }

    private async Task<Submission> SubmitCoreAsync<TArgs>(
        string task, TArgs args, SubmitOptions? options, CancellationToken cancellationToken)
    {
        var path = $"api/{Segment(task, nameof(task))}";
        if (options?.IdempotencyKey is { } key && !IdempotencyKey.IsValid(key))
        {
            throw new ArgumentException(
                $"The idempotency key must be 1 to {IdempotencyKey.MaxLength} printable ASCII characters without spaces.", nameof(options));
        }
        var body = new SubmitRequest(JsonSerializer.SerializeToElement(args, _serializerOptions), options?.Priority);
        using var content = JsonContent.Create(body, ClientJsonContext.Default.SubmitRequest);
        using var response = await SendAsync(HttpMethod.Post, path, content, taskCall: true, cancellationToken, options?.IdempotencyKey)
            .ConfigureAwait(false);
        var replayed = response.Headers.TryGetValues(ReplayedHeader, out var values)
            && values.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase));
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            var accepted = await ReadAsync(response, ClientJsonContext.Default.TaskAccepted, cancellationToken).ConfigureAwait(false);
            return new Submission(new TaskHandle(this, accepted.TaskId, accepted.Status, replayed), null);
        }
        var answer = await ReadAsync(response, ClientJsonContext.Default.SyncTaskAnswer, cancellationToken).ConfigureAwait(false);
        return new Submission(new TaskHandle(this, answer.TaskId, answer.Status, replayed), answer);
    }

    private T? Deserialize<T>(JsonElement? value) =>
        value is { } json ? json.Deserialize<T>(_serializerOptions) : default;

    /// <summary>A submission's answer: the handle, and for a sync task its result.</summary>
    private sealed record Submission(TaskHandle Handle, SyncTaskAnswer? Answer);
}
