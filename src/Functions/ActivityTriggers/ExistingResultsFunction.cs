using Microsoft.Azure.Functions.Worker;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;

namespace PaDeLLM.Functions.ActivityTriggers;

/// <summary>
/// The ExistingResults activity: <see cref="ExistingResultsActivity"/> (results already written, and those in the way)
/// as a Functions activity trigger.
/// </summary>
public sealed class ExistingResultsFunction(ExistingResultsActivity activity)
{
    [Function(TaskNames.ExistingResults)]
    public Task<ExistingResults> RunAsync([ActivityTrigger] ResultNamesRequest input, FunctionContext context) =>
        activity.RunAsync(FunctionActivityContext.For(TaskNames.ExistingResults, context), input);
}
