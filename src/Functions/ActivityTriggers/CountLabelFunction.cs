using Microsoft.Azure.Functions.Worker;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Functions.ActivityTriggers;

/// <summary>
/// The CountLabel activity: <see cref="CountLabelActivity"/> (one label's count)
/// as a Functions activity trigger.
/// </summary>
public sealed class CountLabelFunction(CountLabelActivity activity)
{
    [Function(TaskNames.CountLabel)]
    public Task<CountAnswer> RunAsync([ActivityTrigger] CountRequest input, FunctionContext context) =>
        activity.RunAsync(FunctionActivityContext.For(TaskNames.CountLabel, context), input);
}
