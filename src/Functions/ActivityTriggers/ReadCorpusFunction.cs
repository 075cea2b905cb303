using Microsoft.Azure.Functions.Worker;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;

namespace PaDeLLM.Functions.ActivityTriggers;

/// <summary>
/// The ReadCorpus activity: <see cref="ReadCorpusActivity"/> (one slice of a corpus blob)
/// as a Functions activity trigger.
/// </summary>
public sealed class ReadCorpusFunction(ReadCorpusActivity activity)
{
    [Function(TaskNames.ReadCorpus)]
    public Task<CorpusSlice> RunAsync([ActivityTrigger] CorpusSliceRequest input, FunctionContext context) =>
        activity.RunAsync(FunctionActivityContext.For(TaskNames.ReadCorpus, context), input);
}
