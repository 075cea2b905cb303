using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Contracts.Wire;

namespace PaDeLLM.Contracts.Documents;

/// <summary>
/// Reads a corpus blob, one document per line (JSON Lines), each line one of:
/// <c>{"id": "…", "text": "…"}</c> (id optional), a JSON string, or a line of the paper's data
/// files (<c>["text", [start, end, "mention", "LABEL"], …]</c>, gold ignored). Blank lines are
/// skipped; the id defaults to the line number. Bad lines are reported, never thrown, so one
/// broken line does not lose the rest of the corpus.
/// </summary>
public static class CorpusDocuments
{
    public const int MaxTextChars = 100_000;

    /// <summary>The documents, and each unreadable line as a failure naming <paramref name="source"/> and the line.</summary>
    public static (List<CorpusDocument> Documents, List<CorpusFailure> Problems) Parse(ReadOnlySpan<byte> content, string source)
    {
        var documents = new List<CorpusDocument>();
        var problems = new List<CorpusFailure>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string all;
        try
        {
            all = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException)
        {
            problems.Add(new CorpusFailure(null, 0, $"{source}: the corpus is not valid UTF-8"));
            return (documents, problems);
        }

        string[] lines = all.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r').TrimStart('\uFEFF');
            int number = i + 1;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            (string? id, string? text, string? problem) = ParseLine(line);
            id ??= number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (problem is null && !ids.Add(id))
            {
                problem = $"id '{id}' appears twice";
            }

            if (problem is null)
            {
                documents.Add(new CorpusDocument(id, text!));
            }
            else
            {
                problems.Add(new CorpusFailure(null, number, $"{source}:{number}: {problem}"));
            }
        }

        return (documents, problems);
    }

    private static (string? Id, string? Text, string? Problem) ParseLine(string line)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(line);
        }
        catch (JsonException e)
        {
            return (null, null, $"not JSON: {e.Message}");
        }

        try
        {
            return Document(node);
        }
        catch (InvalidOperationException)
        {
            return (null, null, "text contains an unpaired surrogate"); // System.Text.Json will not decode it to a string
        }
    }

    private static (string? Id, string? Text, string? Problem) Document(JsonNode? node)
    {
        switch (node)
        {
            case JsonValue v when v.TryGetValue(out string? s):
                return (null, s, DocumentFields.CheckText(s, MaxTextChars)?.Detail);
            case JsonArray a when a.Count > 0 && a[0] is JsonValue first && first.TryGetValue(out string? s):
                return (null, s, DocumentFields.CheckText(s, MaxTextChars)?.Detail);
            case JsonObject o:
                (string? id, DocumentProblem? idProblem) = DocumentFields.Id(o, allowInteger: true);
                if (idProblem is not null)
                {
                    return (null, null, idProblem.Detail);
                }

                (string? text, DocumentProblem? textProblem) = DocumentFields.Text(o, MaxTextChars);
                return (id, text, textProblem?.Detail);
            default:
                return (null, null, "expected {\"id\", \"text\"}, a JSON string, or [\"text\", …]");
        }
    }
}
