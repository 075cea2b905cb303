using System.Text.Json;
using PaDeLLM.Contracts;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Storage.Blobs;

namespace PaDeLLM.Activities;

/// <summary>Reads a document's result blob, for the activities that find out whether a document is done.</summary>
public static class ResultBlobs
{
    /// <summary>
    /// The result document in the blob, or null when there is no such blob; a blob that holds
    /// something else is an <see cref="InvalidDataException"/> naming it (never silently recomputed over).
    /// </summary>
    public static async Task<ResultDocument?> ReadAsync(
        IBlobContainer container, string name, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        byte[]? content = await container.GetAsync(name, cancel);
        if (content is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(content, PipelineJson.Default.ResultDocument)
                ?? throw new InvalidDataException($"{container.Location}/{name}: holds null, not a result document");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{container.Location}/{name}: not a result document: {e.Message}", e);
        }
    }
}
