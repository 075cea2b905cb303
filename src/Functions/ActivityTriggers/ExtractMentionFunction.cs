using Microsoft.Azure.Functions.Worker;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Functions.ActivityTriggers;

/// <summary>
/// The ExtractMention activity: <see cref="ExtractMentionActivity"/> (one (label, k) mention)
/// as a Functions activity trigger.
/// </summary>
public sealed class ExtractMentionFunction(ExtractMentionActivity activity)
{
    [Function(TaskNames.ExtractMention)]
    public Task<MentionAnswer> RunAsync([ActivityTrigger] MentionRequest input, FunctionContext context) =>
        activity.RunAsync(FunctionActivityContext.For(TaskNames.ExtractMention, context), input);
}
