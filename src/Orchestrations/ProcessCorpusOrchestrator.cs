using Microsoft.DurableTask;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Orchestrations;

/// <summary>
/// The corpus path (blob-triggered in Azure, <c>padellm corpus</c> locally): one chunk of the
/// corpus per generation, read from a cursor into the blob;
/// documents whose result blob exists are skipped, the others run as
/// ExtractDocument sub-orchestrations with at most <c>concurrency</c> in flight; then the
/// instance continues as new with the next chunk (its history stays bounded), and after the
/// last chunk writes the manifest. A document's child instance id comes from this instance's
/// id and the document's, so a rerun of the same corpus finds what was done.
/// </summary>
public sealed class ProcessCorpusOrchestrator : TaskOrchestrator<ProcessCorpusInput, CorpusManifest?>
{
    public override async Task<CorpusManifest?> RunAsync(TaskOrchestrationContext context, ProcessCorpusInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        TaskOptions retry = ExtractDocumentOrchestrator.Retry;
        CorpusProgress progress = input.Progress
            ?? new CorpusProgress(0, 0, 1, context.CurrentUtcDateTime, 0, 0, 0, 0, []);
        int chunk = Math.Clamp(input.ChunkSize, 1, 10_000);
        CorpusSlice slice = await context.CallActivityAsync<CorpusSlice>(
            TaskNames.ReadCorpus, new CorpusSliceRequest(input.Corpus, progress.Offset, progress.Line, chunk), retry);
        var failures = progress.Failures.Concat(slice.Problems).ToList();

        var names = slice.Documents.Select(d => ResultNames.For(input.OutputPrefix, d.Id)).ToList();
        ExistingResults existing = await context.CallActivityAsync<ExistingResults>(TaskNames.ExistingResults,
            new ResultNamesRequest(input.OutputContainer, names, slice.Documents.Select(d => d.Text).ToList()), retry);
        var done = new HashSet<string>(existing.Done, StringComparer.Ordinal);
        var conflicts = existing.Conflicts.ToDictionary(c => c.Name, c => c.Error, StringComparer.Ordinal);
        int succeeded = progress.Succeeded, reused = progress.Reused, entities = progress.Entities;
        long tokens = progress.TokensGenerated;
        var todo = new Queue<(CorpusDocument Document, string Name)>();
        for (int i = 0; i < slice.Documents.Count; i++)
        {
            if (done.Contains(names[i]))
            {
                succeeded++;
                reused++;
            }
            else if (conflicts.TryGetValue(names[i], out string? error))
            {
                failures.Add(new CorpusFailure(slice.Documents[i].Id, null, error));
            }
            else
            {
                todo.Enqueue((slice.Documents[i], names[i]));
            }
        }

        var inFlight = new Dictionary<Task<ResultDocument>, string>();
        int concurrency = Math.Clamp(input.Concurrency, 1, 1024);
        while (todo.Count > 0 || inFlight.Count > 0)
        {
            while (todo.Count > 0 && inFlight.Count < concurrency)
            {
                (CorpusDocument d, string name) = todo.Dequeue();
                var child = new ExtractDocumentInput(
                    d.Id, d.Text, input.Schema, new BlobRef(input.OutputContainer, name));
                inFlight[context.CallSubOrchestratorAsync<ResultDocument>(TaskNames.ExtractDocument, child,
                    new SubOrchestrationOptions { InstanceId = InstanceIds.Child(context.InstanceId, d.Id) })] = d.Id;
            }

            Task<ResultDocument> finished = await Task.WhenAny(inFlight.Keys);
            string id = inFlight[finished];
            inFlight.Remove(finished);
            try
            {
                ResultDocument document = await finished;
                succeeded++;
                entities += document.Entities.Count;
                tokens += document.TokensGenerated;
            }
            catch (TaskFailedException e)
            {
                failures.Add(new CorpusFailure(id, null, e.FailureDetails.ErrorMessage));
            }
        }

        int next = progress.Next + slice.Documents.Count;
        var progressed = new CorpusProgress(next, slice.NextOffset, slice.NextLine, progress.Started,
            succeeded, reused, entities, tokens, failures);
        if (!slice.AtEnd)
        {
            context.ContinueAsNew(input with { Progress = progressed });
            return null;
        }

        DateTime completed = context.CurrentUtcDateTime;
        var manifest = new CorpusManifest(input.Corpus, input.OutputContainer, input.OutputPrefix, next, succeeded,
            failures.Count, reused, entities, tokens, failures, progress.Started, completed,
            (completed - progress.Started).TotalSeconds);
        await context.CallActivityAsync<bool>(TaskNames.WriteManifest,
            new WriteManifestRequest(
                new BlobRef(input.OutputContainer, input.OutputPrefix + ResultNames.Manifest), manifest),
            retry);
        return manifest;
    }
}
