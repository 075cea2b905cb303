using Microsoft.Azure.Functions.Worker;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;

namespace PaDeLLM.Functions.ActivityTriggers;

/// <summary>
/// The WriteResult activity: <see cref="WriteResultActivity"/> (create-only result blob)
/// as a Functions activity trigger.
/// </summary>
public sealed class WriteResultFunction(WriteResultActivity activity)
{
    [Function(TaskNames.WriteResult)]
    public Task<bool> RunAsync([ActivityTrigger] WriteResultRequest input, FunctionContext context) =>
        activity.RunAsync(FunctionActivityContext.For(TaskNames.WriteResult, context), input);
}
