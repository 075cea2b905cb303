using System.Text;
using PaDeLLM.Activities;
using PaDeLLM.Contracts.Documents;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Orchestrations.Tests;

/// <summary>
/// ReadCorpus reads a corpus a slice at a time from a byte cursor, a window at a time: whatever the
/// slice size and window, the slices together are exactly the corpus read whole.
/// </summary>
public sealed class CorpusSliceTests
{
    private const string Corpus =
        "\uFEFF{\"id\": \"a\", \"text\": \"Pia in Lima\"}\r\n\n\"a bare string with é and 名\"\n{\"text\": 42}\n"
        + "[\"paper line\", [0, 5, \"paper\", \"X\"]]\n\n\n{\"id\": \"a\", \"text\": \"twice\"}\n"
        + "{\"id\": \"z\", \"text\": \"last, no newline 名\"}";

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 7)]
    [InlineData(100, 5)]
    [InlineData(1, 1 << 20)]
    public async Task Slices_read_from_a_cursor_are_the_whole_corpus_read_at_once(int count, int window)
    {
        using var dir = new TempDir();
        var store = new LocalDirectoryContainer(dir.Path);
        await store.CreateIfNotExistsAsync();
        byte[] bytes = Encoding.UTF8.GetBytes(Corpus);
        await store.PutAsync("c.jsonl", bytes);
        var activity = new ReadCorpusActivity(BlobContainers.For(null)) { Window = window };

        var documents = new List<CorpusDocument>();
        var problems = new List<CorpusFailure>();
        var request = new CorpusSliceRequest(new BlobRef(BlobContainers.NameOf(store), "c.jsonl"), 0, 1, count);
        for (int slices = 0; ; slices++)
        {
            Assert.True(slices < 50, "the cursor does not advance");
            CorpusSlice slice = await activity.RunAsync(null!, request);
            Assert.InRange(slice.Documents.Count, 0, count);
            documents.AddRange(slice.Documents);
            problems.AddRange(slice.Problems);
            if (slice.AtEnd)
            {
                Assert.Equal(bytes.Length, slice.NextOffset);
                break;
            }

            request = request with { Offset = slice.NextOffset, Line = slice.NextLine };
        }

        var (whole, wholeProblems) = CorpusDocuments.Parse(bytes, "c.jsonl");
        Assert.Equal(whole, documents.Where(d => d.Text != "twice"));
        Assert.Equal(["c.jsonl:4: field 'text' is missing or not a string", "c.jsonl:8: id 'a' appears twice"],
            wholeProblems.Select(p => p.Error));

        // A repeated id is caught within a slice; across slices ProcessCorpus refuses it (PipelineTests).
        Assert.Equal(wholeProblems.Where(p => !p.Error.Contains("twice", StringComparison.Ordinal)),
            problems.Where(p => !p.Error.Contains("twice", StringComparison.Ordinal)));
        Assert.Equal(["a", "3", "5", "z"], whole.Select(d => d.Id));
    }
}
