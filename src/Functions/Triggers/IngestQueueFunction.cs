using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Documents;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Functions.Configuration;
using PaDeLLM.Orchestrations;

namespace PaDeLLM.Functions.Triggers;

/// <summary>
/// A document on the <c>ingest</c> queue (<c>{"id"?, "text"}</c>) starts ExtractDocument
/// (instance <c>queue-ingest-{id}</c>, result <c>results/ingest/{id}.json</c>); a message
/// delivered twice finds its instance and schedules nothing. An unreadable message throws, so
/// the host retries it and, after maxDequeueCount (host.json) tries, moves it to
/// <c>ingest-poison</c>: the host's own poison handling, nothing of ours to keep in step.
/// </summary>
public sealed class IngestQueueFunction(
    PipelineSchema schema, IOptions<PadellmFunctionsOptions> options, ILogger<IngestQueueFunction> logger)
{
    public const string Name = "IngestQueueTrigger";

    [Function(Name)]
    public async Task RunAsync(
        [QueueTrigger(AppNames.IngestQueue, Connection = AppNames.StorageConnection)] string message,
        [DurableClient] DurableTaskClient client,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(context);
        string? messageId = Binding(context, "Id");
        (string? given, string? text, string? problem) = IngestMessage.Parse(message);
        if (problem is not null)
        {
            long tries = long.TryParse(Binding(context, "DequeueCount"), CultureInfo.InvariantCulture, out long n)
                ? n
                : 0;
            Log.UnreadableMessage(logger, messageId ?? "?", tries, problem);
            throw new InvalidDataException($"ingest message {messageId}: {problem}");
        }

        // Without an id of its own, the message's id names it (stable across redeliveries).
        string id = given ?? messageId
            ?? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text!)))[..32];
        string instanceId = InstanceIds.For($"queue-{AppNames.IngestQueue}-", id);
        var input = new ExtractDocumentInput(id, text!, schema.Spec,
            new BlobRef(options.Value.ResultsContainer, ResultNames.For(AppNames.IngestResultsPrefix, id)));
        OrchestrationRuntimeStatus? existing = await OrchestrationStarts.StartOnceAsync(
            client, TaskNames.ExtractDocument, instanceId, input, context.CancellationToken);
        if (existing is OrchestrationRuntimeStatus status)
        {
            Log.AlreadyThere(logger, TaskNames.ExtractDocument, instanceId, status.ToString(), AppNames.IngestQueue);
        }
        else
        {
            Log.Scheduled(logger, TaskNames.ExtractDocument, instanceId, AppNames.IngestQueue);
        }
    }

    private static string? Binding(FunctionContext context, string key) =>
        context.BindingContext.BindingData.TryGetValue(key, out object? value)
        && value?.ToString() is { Length: > 0 } s
            ? s.Trim('"')
            : null;
}
