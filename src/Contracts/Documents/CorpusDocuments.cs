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

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>
    /// The documents of a whole corpus, and each unreadable line
    /// as a failure naming <paramref name="source"/> and the line.
    /// </summary>
    public static (List<CorpusDocument> Documents, List<CorpusFailure> Problems) Parse(
        ReadOnlySpan<byte> content, string source)
    {
        var documents = new List<CorpusDocument>();
        var problems = new List<CorpusFailure>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int number = 0;
        while (true)
        {
            number++;
            int end = content.IndexOf((byte)'\n');
            (CorpusDocument? d, CorpusFailure? p) = Line(end < 0 ? content : content[..end], number, source, ids);
            if (d is not null)
            {
                documents.Add(d);
            }
            else if (p is not null)
            {
                problems.Add(p);
            }

            if (end < 0)
            {
                return (documents, problems);
            }

            content = content[(end + 1)..];
        }
    }

    /// <summary>
    /// One line (its bytes, without the newline): a document, or a failure naming the line, or
    /// neither for a blank line. <paramref name="ids"/> holds the ids seen so far; a repeat is a failure.
    /// </summary>
    public static (CorpusDocument? Document, CorpusFailure? Problem) Line(
        ReadOnlySpan<byte> bytes, int number, string source, ISet<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        string line;
        try
        {
            line = StrictUtf8.GetString(bytes).TrimEnd('\r').TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            return (null, new CorpusFailure(null, number, $"{source}:{number}: the line is not valid UTF-8"));
        }

        if (line.Trim().Length == 0)
        {
            return (null, null);
        }

        (string? id, string? text, string? problem) = ParseLine(line);
        id ??= number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (problem is null && !ids.Add(id))
        {
            problem = $"id '{id}' appears twice";
        }

        return problem is null
            ? (new CorpusDocument(id, text!), null)
            : (null, new CorpusFailure(null, number, $"{source}:{number}: {problem}"));
    }

    private static (string? Id, string? Text, string? Problem) ParseLine(string line)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(line, documentOptions: DocumentFields.Parsing);
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
            // System.Text.Json will not decode it to a string
            return (null, null, "text contains an unpaired surrogate");
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
