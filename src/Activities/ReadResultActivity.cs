using System.Text.Json;
using Microsoft.DurableTask;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Activities;

/// <summary>
/// A document's result blob, or null when it does not exist yet. A blob that is not a result
/// document fails the activity naming the blob (it is never silently recomputed over).
/// </summary>
public sealed class ReadResultActivity(BlobContainers containers) : TaskActivity<BlobRef, ResultDocument?>
{
    public override async Task<ResultDocument?> RunAsync(TaskActivityContext context, BlobRef input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var container = containers[input.Container];
        byte[]? content = await container.GetAsync(input.Name);
        if (content is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(content, PipelineJson.Default.ResultDocument)
                ?? throw new InvalidDataException(
                    $"{container.Location}/{input.Name}: holds null, not a result document");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{container.Location}/{input.Name}: not a result document: {e.Message}", e);
        }
    }
}
