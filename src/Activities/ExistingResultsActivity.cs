using System.Collections.Concurrent;
using Microsoft.DurableTask;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Storage.Blobs;
using ExistingResultsOutput = PaDeLLM.Contracts.Wire.ExistingResults;

namespace PaDeLLM.Activities;

/// <summary>
/// Which of a chunk's documents are done: one listing per folder finds the result blobs that
/// exist, and each is read to check it is a result of the same text. A result of another text (an
/// id used twice in a corpus) or an unreadable one is a conflict, reported and never overwritten.
/// </summary>
public sealed class ExistingResultsActivity(BlobContainers containers)
    : TaskActivity<ResultNamesRequest, ExistingResultsOutput>
{
    public override async Task<ExistingResultsOutput> RunAsync(TaskActivityContext context, ResultNamesRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        IBlobContainer container = containers[input.Container];
        var wanted = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < input.Names.Count; i++)
        {
            wanted.TryAdd(input.Names[i], input.Texts[i]);
        }

        var found = new List<string>();
        try
        {
            foreach (string folder in wanted.Keys.Select(Folder).Distinct(StringComparer.Ordinal))
            {
                await foreach (BlobItem blob in container.ListAsync(folder))
                {
                    if (wanted.ContainsKey(blob.Name))
                    {
                        found.Add(blob.Name);
                    }
                }
            }
        }
        catch (BlobContainerNotFoundException)
        {
            return new ExistingResultsOutput([], []);
        }

        var done = new ConcurrentBag<string>();
        var conflicts = new ConcurrentBag<ResultConflict>();
        await Parallel.ForEachAsync(found, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (name, cancel) =>
        {
            string? problem = await Check(container, name, wanted[name], cancel);
            if (problem is null)
            {
                done.Add(name);
            }
            else
            {
                conflicts.Add(new ResultConflict(name, problem));
            }
        });
        return new ExistingResultsOutput([.. done.Order(StringComparer.Ordinal)],
            [.. conflicts.OrderBy(c => c.Name, StringComparer.Ordinal)]);
    }

    private static async Task<string?> Check(
        IBlobContainer container, string name, string text, CancellationToken cancel)
    {
        try
        {
            ResultDocument? held = await ResultBlobs.ReadAsync(container, name, cancel);
            return held is null ? $"{container.Location}/{name} holds no result document"
                : held.Text == text ? null
                : $"{container.Location}/{name} holds the result of another text (an id used twice?)";
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }
    }

    private static string Folder(string name) => name[..(name.LastIndexOf('/') + 1)];
}
