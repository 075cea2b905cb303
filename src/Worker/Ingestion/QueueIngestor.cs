using System.Text.Json.Nodes;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Documents;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Orchestrations;
using PaDeLLM.Storage.Queues;

namespace PaDeLLM.Worker.Ingestion;

/// <summary>
/// The queue-driven path: each message <c>{"id"?, "text"}</c> is one document; its
/// ExtractDocument result is written to the results container, and only then is the message
/// deleted (at-least-once, and the result blob makes a redelivery free). A message that cannot
/// be read, or that has been handed out more than <see cref="MaxDequeueCount"/> times, moves to
/// <c>{queue}-poison</c> with the reason — the Functions queue trigger's convention — so nothing
/// accepted is lost.
/// </summary>
public sealed class QueueIngestor(
    IMessageQueue queue,
    IMessageQueue poison,
    DurablePipeline pipeline,
    SchemaSpec schema,
    string resultsContainer = "results")
{
    public int MaxDequeueCount { get; init; } = 5;

    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public int BatchSize { get; init; } = 16;

    public int Processed { get; private set; }

    public int Poisoned { get; private set; }

    /// <summary>
    /// Receives and handles one batch; returns how many
    /// messages it received (0: the queue looked empty).
    /// </summary>
    public async Task<int> PumpOnceAsync(CancellationToken cancel = default)
    {
        IReadOnlyList<QueueMessage> messages = await queue.ReceiveAsync(BatchSize, VisibilityTimeout, cancel);
        await Task.WhenAll(messages.Select(m => HandleAsync(m, cancel)));
        return messages.Count;
    }

    /// <summary>Pumps until cancelled, or with <paramref name="untilEmpty"/> until a receive finds nothing.</summary>
    public async Task RunAsync(bool untilEmpty, TimeSpan idleDelay, CancellationToken cancel = default)
    {
        while (!cancel.IsCancellationRequested)
        {
            if (await PumpOnceAsync(cancel) == 0)
            {
                if (untilEmpty)
                {
                    return;
                }

                await Task.Delay(idleDelay, cancel);
            }
        }
    }

    private async Task HandleAsync(QueueMessage message, CancellationToken cancel)
    {
        if (message.DequeueCount > MaxDequeueCount)
        {
            await PoisonAsync(message,
                $"handed out {message.DequeueCount} times without success (limit {MaxDequeueCount})", cancel);
            return;
        }

        (string? id, string? text, string? problem) = IngestMessage.Parse(message.Text);
        if (problem is not null)
        {
            await PoisonAsync(message, problem, cancel);
            return;
        }

        id ??= message.Id;
        var input = new ExtractDocumentInput(
            id, text!, schema, new BlobRef(resultsContainer, ResultNames.For($"{queue.Name}/", id)));
        string instanceId = InstanceIds.For($"queue-{queue.Name}-", id);
        await pipeline.ScheduleAsync(TaskNames.ExtractDocument, instanceId, input);
        InstanceOutcome<ResultDocument> outcome =
            await pipeline.WaitAsync<ResultDocument>(instanceId, VisibilityTimeout, cancel);
        if (!outcome.Completed)
        {
            // Left on the queue: it reappears after the visibility timeout, and is poisoned after too many tries.
            return;
        }

        await queue.DeleteAsync(message, cancel);
        Processed++;
    }

    private async Task PoisonAsync(QueueMessage message, string reason, CancellationToken cancel)
    {
        await poison.SendAsync(new JsonObject
        {
            ["reason"] = reason,
            ["message_id"] = message.Id,
            ["dequeue_count"] = message.DequeueCount,
            ["text"] = message.Text,
        }.ToJsonString(), cancel);
        await queue.DeleteAsync(message, cancel);
        Poisoned++;
    }
}
