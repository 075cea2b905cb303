using Microsoft.DurableTask;
using PaDeLLM.Contracts.Documents;
using PaDeLLM.Contracts.Wire;

namespace PaDeLLM.Activities;

/// <summary>
/// One slice of a corpus blob (JSON lines): its documents, the corpus's total, and, with the
/// first slice, every line that could not be read (named by blob and line).
/// </summary>
public sealed class ReadCorpusActivity(BlobContainers containers) : TaskActivity<CorpusSliceRequest, CorpusSlice>
{
    public override async Task<CorpusSlice> RunAsync(TaskActivityContext context, CorpusSliceRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var container = containers[input.Corpus.Container];
        byte[] content = await container.GetAsync(input.Corpus.Name)
            ?? throw new FileNotFoundException($"corpus blob '{input.Corpus.Name}' not found in {container.Location}");
        var (documents, problems) = CorpusDocuments.Parse(content, input.Corpus.Name);
        int start = Math.Clamp(input.Start, 0, documents.Count);
        int count = Math.Clamp(input.Count, 0, documents.Count - start);
        return new CorpusSlice(documents.GetRange(start, count), documents.Count, start == 0 ? problems : []);
    }
}
