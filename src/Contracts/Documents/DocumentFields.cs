using System.Text;
using System.Text.Json.Nodes;
using PaDeLLM.Ner.Data;

namespace PaDeLLM.Contracts.Documents;

/// <summary>
/// What is wrong with one field of a submitted document;
/// <see cref="TooLarge"/> maps to 413 over HTTP.
/// </summary>
public sealed record DocumentProblem(string Field, string Detail, bool TooLarge = false);

/// <summary>
/// The rules for a submitted document's <c>id</c> and <c>text</c>, one place for every way a
/// document comes in: the GPU host's and the Functions app's HTTP APIs, the ingestion queue
/// and corpus lines. Each caller turns a <see cref="DocumentProblem"/> into its own answer
/// (a problem+json, a poison message, a corpus problem line).
/// </summary>
public static class DocumentFields
{
    /// <summary>Ids name result blobs and orchestration instances; long ones are a mistake.</summary>
    public const int MaxIdChars = 200;

    /// <summary>
    /// How every submitted JSON document is parsed: a key given twice is an error (which one
    /// would count is a guess), and nesting is shallow (a document is flat).
    /// </summary>
    public static readonly System.Text.Json.JsonDocumentOptions Parsing = new()
    {
        AllowDuplicateProperties = false,
        MaxDepth = 16,
    };

    /// <summary>
    /// The optional id: absent (null), or a non-empty string of at most
    /// <see cref="MaxIdChars"/> characters (corpus lines may also number their documents).
    /// </summary>
    public static (string? Id, DocumentProblem? Problem) Id(JsonObject document, bool allowInteger = false)
    {
        string rule = $"field 'id' must be a non-empty string of at most {MaxIdChars} characters"
            + $"{(allowInteger ? " or an integer" : "")}";
        switch (document["id"])
        {
            case null:
                return (null, null);
            case JsonValue v when JsonStrings.TryGet(v, out string? s):
                return s is not null && CheckText(s, MaxIdChars) is null
                    ? (s, null)
                    : (null, new DocumentProblem("id", rule));
            case JsonValue v when allowInteger && v.TryGetValue(out long n):
                return (n.ToString(System.Globalization.CultureInfo.InvariantCulture), null);
            default:
                return (null, new DocumentProblem("id", rule));
        }
    }

    /// <summary>
    /// The text: a string field, not blank, at most <paramref name="maxChars"/>
    /// UTF-16 code units, with no unpaired surrogate.
    /// </summary>
    public static (string? Text, DocumentProblem? Problem) Text(JsonObject document, int maxChars)
    {
        if (document["text"] is not JsonValue v || !JsonStrings.TryGet(v, out string? text))
        {
            return (null, new DocumentProblem("text", "field 'text' is missing or not a string"));
        }

        return text is null
            ? (null, new DocumentProblem("text", "text contains an unpaired surrogate"))
            : CheckText(text, maxChars) is DocumentProblem p ? (null, p) : (text, null);
    }

    /// <summary>The text rules alone, for documents that are a bare string.</summary>
    public static DocumentProblem? CheckText(string text, int maxChars) =>
        text.Trim().Length == 0 ? new DocumentProblem("text", "text is empty")
        : text.Length > maxChars ? new DocumentProblem("text",
            $"text has {text.Length:N0} characters, more than the {maxChars:N0} allowed", TooLarge: true)
        : !IsWellFormed(text) ? new DocumentProblem("text", "text contains an unpaired surrogate")
        : null;

    private static bool IsWellFormed(string text)
    {
        try
        {
            _ = new UTF8Encoding(false, true).GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
