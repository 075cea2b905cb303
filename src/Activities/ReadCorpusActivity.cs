using Microsoft.DurableTask;
using PaDeLLM.Contracts.Documents;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Storage.Blobs;

namespace PaDeLLM.Activities;

/// <summary>
/// One slice of a corpus blob (JSON lines): up to the requested number of documents from the
/// cursor, read a window at a time, with the lines that could not be read (named by blob and line)
/// and the cursor of the next slice. Ids repeated within a slice are failures here; across slices
/// ExtractDocument refuses an id whose result holds another text.
/// </summary>
public sealed class ReadCorpusActivity(BlobContainers containers) : TaskActivity<CorpusSliceRequest, CorpusSlice>
{
    /// <summary>Bytes read per request to the store.</summary>
    public int Window { get; init; } = 1 << 20;

    public override async Task<CorpusSlice> RunAsync(TaskActivityContext context, CorpusSliceRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        IBlobContainer container = containers[input.Corpus.Container];
        string name = input.Corpus.Name;
        var documents = new List<CorpusDocument>();
        var problems = new List<CorpusFailure>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        long offset = input.Offset;
        int line = input.Line;
        byte[] pending = [];
        while (documents.Count < input.Count)
        {
            byte[] window = await container.GetRangeAsync(name, offset + pending.Length, Window)
                ?? throw new FileNotFoundException($"corpus blob '{name}' not found in {container.Location}");
            bool end = window.Length == 0;
            pending = [.. pending, .. window];
            int start = 0;
            while (documents.Count < input.Count)
            {
                int newline = Array.IndexOf(pending, (byte)'\n', start);
                if (newline < 0 && !(end && start < pending.Length))
                {
                    break;
                }

                int stop = newline < 0 ? pending.Length : newline;
                (CorpusDocument? d, CorpusFailure? p) =
                    CorpusDocuments.Line(pending.AsSpan(start, stop - start), line, name, ids);
                if (d is not null)
                {
                    documents.Add(d);
                }
                else if (p is not null)
                {
                    problems.Add(p);
                }

                line++;
                start = newline < 0 ? pending.Length : newline + 1;
            }

            offset += start;
            pending = pending[start..];
            if (end && pending.Length == 0)
            {
                return new CorpusSlice(documents, problems, offset, line, AtEnd: true);
            }
        }

        return new CorpusSlice(documents, problems, offset, line, AtEnd: false);
    }
}
