using Microsoft.DurableTask;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Orchestrations;

/// <summary>
/// PaDeLLM as a durable orchestration: <see cref="PadellmAlgorithm"/> with its steps fanned out
/// as activities (a count per label, then a mention per (label, k)), the merge and
/// de-duplication done here (pure code, safe to replay), then the result blob written
/// create-only. A result already in its blob is returned with no model work, which makes a
/// corpus rerun, or a restart after a crash, exactly-once per document.
/// </summary>
public sealed class ExtractDocumentOrchestrator : TaskOrchestrator<ExtractDocumentInput, ResultDocument>
{
    /// <summary>Activities are retried (a model host restarting, a storage hiccup) before the document fails.</summary>
    public static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(1)));

    public override async Task<ResultDocument> RunAsync(TaskOrchestrationContext context, ExtractDocumentInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Output is BlobRef output
            && await context.CallActivityAsync<ResultDocument?>(TaskNames.ReadResult, output, Retry)
                is ResultDocument done)
        {
            // An id names one document: its result is never handed out for another text.
            return done.Text == input.Text
                ? done
                : throw new InvalidOperationException(
                    $"id '{input.Id}' already has a result ({output.Name}) for a different text");
        }

        ResultDocument document = await PadellmAlgorithm.RunAsync(
            input.Id, input.Text, input.Schema.ToSchema(), new ActivitySteps(context, input.Schema),
            () => context.CurrentUtcDateTime);
        if (input.Output is BlobRef target)
        {
            await context.CallActivityAsync<bool>(
                TaskNames.WriteResult, new WriteResultRequest(target, document), Retry);
        }

        return document;
    }
}
