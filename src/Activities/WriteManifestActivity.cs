using System.Text.Json;
using Microsoft.DurableTask;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;

namespace PaDeLLM.Activities;

/// <summary>
/// Writes a corpus run's manifest, replacing an earlier
/// run's (the results themselves are never overwritten).
/// </summary>
public sealed class WriteManifestActivity(BlobContainers containers) : TaskActivity<WriteManifestRequest, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, WriteManifestRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var container = containers[input.Output.Container];
        await container.CreateIfNotExistsAsync();
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(input.Manifest, PipelineJson.Indented.CorpusManifest);
        return await container.PutAsync(input.Output.Name, bytes, "application/json", overwrite: true);
    }
}
