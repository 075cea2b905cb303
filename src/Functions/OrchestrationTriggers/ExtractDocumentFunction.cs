using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Orchestrations;

namespace PaDeLLM.Functions.OrchestrationTriggers;

/// <summary>
/// The ExtractDocument orchestration as a Functions orchestration trigger. A plain function
/// (not a class registered with AddTasks) so that the build writes it into functions.metadata.
/// </summary>
public static class ExtractDocumentFunction
{
    [Function(TaskNames.ExtractDocument)]
    public static Task<ResultDocument> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new ExtractDocumentOrchestrator().RunAsync(context, context.GetInput<ExtractDocumentInput>()!);
    }
}
