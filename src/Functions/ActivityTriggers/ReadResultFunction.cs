using Microsoft.Azure.Functions.Worker;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Functions.ActivityTriggers;

/// <summary>
/// The ReadResult activity: <see cref="ReadResultActivity"/> (a result blob, or null)
/// as a Functions activity trigger.
/// </summary>
public sealed class ReadResultFunction(ReadResultActivity activity)
{
    [Function(TaskNames.ReadResult)]
    public Task<ResultDocument?> RunAsync([ActivityTrigger] BlobRef input, FunctionContext context) =>
        activity.RunAsync(FunctionActivityContext.For(TaskNames.ReadResult, context), input);
}
