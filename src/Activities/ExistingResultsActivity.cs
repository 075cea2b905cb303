using Microsoft.DurableTask;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Storage.Blobs;

namespace PaDeLLM.Activities;

/// <summary>Which of the given result blobs exist: one listing per folder, so a rerun skips finished documents without a read each.</summary>
public sealed class ExistingResultsActivity(BlobContainers containers) : TaskActivity<ResultNamesRequest, string[]>
{
    public override async Task<string[]> RunAsync(TaskActivityContext context, ResultNamesRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        IBlobContainer container = containers[input.Container];
        var wanted = new HashSet<string>(input.Names, StringComparer.Ordinal);
        var found = new List<string>();
        foreach (string folder in wanted.Select(Folder).Distinct(StringComparer.Ordinal))
        {
            try
            {
                await foreach (BlobItem blob in container.ListAsync(folder))
                {
                    if (wanted.Contains(blob.Name))
                    {
                        found.Add(blob.Name);
                    }
                }
            }
            catch (BlobContainerNotFoundException)
            {
                return [];
            }
        }

        return [.. found];
    }

    private static string Folder(string name) => name[..(name.LastIndexOf('/') + 1)];
}
