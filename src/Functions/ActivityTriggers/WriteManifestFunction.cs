using Microsoft.Azure.Functions.Worker;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;

namespace PaDeLLM.Functions.ActivityTriggers;

/// <summary>
/// The WriteManifest activity: <see cref="WriteManifestActivity"/> (a corpus run's manifest)
/// as a Functions activity trigger.
/// </summary>
public sealed class WriteManifestFunction(WriteManifestActivity activity)
{
    [Function(TaskNames.WriteManifest)]
    public Task<bool> RunAsync([ActivityTrigger] WriteManifestRequest input, FunctionContext context) =>
        activity.RunAsync(FunctionActivityContext.For(TaskNames.WriteManifest, context), input);
}
