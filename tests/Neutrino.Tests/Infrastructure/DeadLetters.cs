using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Net;
using Neutrino.Core.Messaging;

namespace Neutrino.Tests.Infrastructure;

/// <summary>Reads the dead-letter stream directly from NATS.</summary>
public static class DeadLetters
{
    /// <summary>The headers of the dead letter of task <paramref name="id"/> on <paramref name="subject"/>, or null.</summary>
    public static async Task<NatsHeaders?> FindAsync(string natsUrl, string subject, Guid id)
    {
        await using var nats = new NatsClient(natsUrl);
        var js = nats.CreateJetStreamContext();
        var consumer = await js.CreateOrderedConsumerAsync(Subjects.DeadLetterStream, new NatsJSOrderedConsumerOpts { FilterSubjects = [subject] });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var msg in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 10_000 }, cancellationToken: timeout.Token))
        {
            if (msg.Headers is { } headers && headers.TryGetValue(TaskHeaders.TaskId, out var value) && value.ToString() == id.ToString())
            {
                return headers;
            }
        }
        return null;
    }
}
