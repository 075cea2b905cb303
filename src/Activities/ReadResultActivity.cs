using Microsoft.DurableTask;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Activities;

/// <summary>
/// A document's result blob, or null when it does not exist yet. A blob that is not a result
/// document fails the activity naming the blob (it is never silently recomputed over).
/// </summary>
public sealed class ReadResultActivity(BlobContainers containers) : TaskActivity<BlobRef, ResultDocument?>
{
    public override Task<ResultDocument?> RunAsync(TaskActivityContext context, BlobRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return ResultBlobs.ReadAsync(containers[input.Container], input.Name);
    }
}
