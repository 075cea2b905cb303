using Microsoft.DurableTask;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Activities;

/// <summary>
/// Step 2 for one (label, k): the engine decodes the k-th
/// mention, from the label's cached count branch when it has it.
/// </summary>
public sealed class ExtractMentionActivity(IPadellmEngine engine) : TaskActivity<MentionRequest, MentionAnswer>
{
    public override Task<MentionAnswer> RunAsync(TaskActivityContext context, MentionRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return engine.MentionAsync(input.Text, input.Schema.ToSchema(), input.Call);
    }
}
