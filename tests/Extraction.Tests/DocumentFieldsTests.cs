using System.Text;
using PaDeLLM.Contracts.Documents;
using PaDeLLM.Contracts.Wire;
using Xunit;

namespace PaDeLLM.Extraction.Tests;

/// <summary>
/// A document is judged by the same rules whichever way it comes in (corpus
/// line, queue message; the HTTP hosts are tested through their APIs).
/// </summary>
public class DocumentFieldsTests
{
    public static TheoryData<string, string> BadDocuments() => new()
    {
        { """{"id": "a", "text": "   "}""", "text is empty" },
        { """{"id": "a"}""", "field 'text' is missing or not a string" },
        { """{"id": "a", "text": 7}""", "field 'text' is missing or not a string" },
        { """{"id": "", "text": "x"}""", "field 'id'" },
        { """{"id": "   ", "text": "x"}""", "field 'id'" },
        { "{\"id\": \"" + new string('i', DocumentFields.MaxIdChars + 1) + "\", \"text\": \"x\"}", "field 'id'" },
        { """{"id": ["a"], "text": "x"}""", "field 'id'" },
        { """{"id": "a", "text": "broken \ud800 pair"}""", "unpaired surrogate" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public void A_corpus_line_and_a_queue_message_are_refused_for_the_same_reason(string document, string reason)
    {
        (_, _, string? queueProblem) = IngestMessage.Parse(document);
        (List<CorpusDocument> docs, List<CorpusFailure> problems) =
            CorpusDocuments.Parse(Encoding.UTF8.GetBytes(document + "\n"), "c.jsonl");
        Assert.Empty(docs);
        Assert.Contains(reason, queueProblem, StringComparison.Ordinal);
        // corpus lines may also number their ids
        Assert.Contains(reason, Assert.Single(problems).Error, StringComparison.Ordinal);

    }

    [Fact]
    public void Limits_are_the_callers_and_an_oversized_text_is_marked_too_large()
    {
        var body = new System.Text.Json.Nodes.JsonObject { ["text"] = "twelve chars" };
        Assert.Equal("twelve chars", DocumentFields.Text(body, 12).Text);
        (string? text, DocumentProblem? problem) = DocumentFields.Text(body, 11);
        Assert.Null(text);
        Assert.True(problem!.TooLarge);
        Assert.Equal("text", problem.Field);
        var numbered = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse("""{"id": 7}""")!;
        Assert.Equal(("7", (DocumentProblem?)null), DocumentFields.Id(numbered, allowInteger: true));
        Assert.NotNull(DocumentFields.Id(numbered).Problem);
    }
}
