using System.Text.Json;
using Microsoft.DurableTask;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;

namespace PaDeLLM.Activities;

/// <summary>
/// Writes a result document create-only: an activity re-run after a crash (Durable runs
/// activities at least once) finds the blob and leaves it, so each result is written once.
/// Returns whether this call wrote it.
/// </summary>
public sealed class WriteResultActivity(BlobContainers containers) : TaskActivity<WriteResultRequest, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, WriteResultRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var container = containers[input.Output.Container];
        await container.CreateIfNotExistsAsync();
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(input.Document, PipelineJson.Indented.ResultDocument);
        return await container.PutAsync(input.Output.Name, bytes, "application/json", overwrite: false);
    }
}
