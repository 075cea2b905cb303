using Microsoft.DurableTask;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Activities;

/// <summary>
/// Step 1 for one label: the engine decodes the label's
/// count prompt (the text's prefix cached across labels).
/// </summary>
public sealed class CountLabelActivity(IPadellmEngine engine) : TaskActivity<CountRequest, CountAnswer>
{
    public override async Task<CountAnswer> RunAsync(TaskActivityContext context, CountRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        string label = input.Label ?? throw new ArgumentException("CountLabel needs a label", nameof(input));
        IReadOnlyList<CountAnswer> answers =
            await engine.CountAsync(input.Text, input.Schema.ToSchema().Subset([label]));
        return answers[0] with { Model = answers[0].Model ?? engine.ModelName };
    }
}
