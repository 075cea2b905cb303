using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Orchestrations;

namespace PaDeLLM.Functions.OrchestrationTriggers;

/// <summary>
/// The ProcessCorpus orchestration as a Functions orchestration trigger: one chunk per
/// generation (it continues as new), the manifest after the last.
/// </summary>
public static class ProcessCorpusFunction
{
    [Function(TaskNames.ProcessCorpus)]
    public static Task<CorpusManifest?> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new ProcessCorpusOrchestrator().RunAsync(context, context.GetInput<ProcessCorpusInput>()!);
    }
}
