using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using PaDeLLM.Contracts.Documents;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;

namespace PaDeLLM.GpuHost;

/// <summary>A <c>/v1/count</c> request: every label of the schema counted for the text.</summary>
public sealed record CountBody(string Text, LabelSchema Schema);

/// <summary>A <c>/v1/mention</c> request: one (label, k) of the text.</summary>
public sealed record MentionBody(string Text, LabelSchema Schema, MentionCall Call);

/// <summary>A <c>/v1/extract</c> request: a whole document.</summary>
public sealed record ExtractBody(string? Id, string Text, LabelSchema Schema);

/// <summary>
/// Reads request bodies into typed requests, naming the field at fault in every refusal. The
/// body is read within its byte limit first, so no size of request can make the host allocate more.
/// </summary>
public sealed class RequestReader(GpuHostOptions options)
{
    public async Task<CountBody> CountAsync(HttpRequest request)
    {
        JsonObject body = await BodyAsync(request);
        return new CountBody(Text(body), Schema(body));
    }

    public async Task<MentionBody> MentionAsync(HttpRequest request)
    {
        JsonObject body = await BodyAsync(request);
        string text = Text(body);
        LabelSchema schema = Schema(body);
        string label = String(body, "label");
        if (!schema.Contains(label))
        {
            throw ProblemException.BadRequest("label",
                $"unknown label '{Clip(label)}': the schema has {string.Join(", ", schema.Keys)}");
        }

        int count = Int(body, "count", 1, options.MaxCount);
        var call = new MentionCall(label, count, Int(body, "k", 1, count));
        return new MentionBody(text, schema, body["again"] is null ? call : call with { Again = Again(body, text) });
    }

    // A mention decoded again: the strings it may not repeat (at most a count's worth) and its window in the text.
    private RepeatBars Again(JsonObject body, string text)
    {
        if (body["again"] is not JsonObject again)
        {
            throw ProblemException.BadRequest("again", "again must be an object: {avoid, from, before}");
        }

        if (again["avoid"] is not JsonArray avoid || avoid.Count == 0 || avoid.Count > options.MaxCount
            || avoid.Any(a => a is not JsonValue v || !JsonStrings.TryGet(v, out string? s) || string.IsNullOrEmpty(s)))
        {
            throw ProblemException.BadRequest("again.avoid", "again.avoid must be an array of 1 to "
                + $"{options.MaxCount} non-empty strings (the mentions a repeat may not give again)");
        }

        return new RepeatBars(avoid.Select(a => (string)a!).ToList(),
            again["from"] is null ? null : Int(again, "from", 0, text.Length, "again.from"),
            again["before"] is null ? null : Int(again, "before", 0, text.Length, "again.before"));
    }

    public async Task<ExtractBody> ExtractAsync(HttpRequest request)
    {
        JsonObject body = await BodyAsync(request);
        return new ExtractBody(Id(body), Text(body), Schema(body));
    }

    public async Task<JsonObject> BodyAsync(HttpRequest request)
    {
        string? type = request.ContentType;
        if (type is null || !type.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"send the body as application/json (got '{type ?? "none"}')", "Content-Type");
        }

        if (request.ContentLength > options.MaxBodyBytes)
        {
            throw new ProblemException(StatusCodes.Status413PayloadTooLarge, "Payload too large",
                $"the body has {request.ContentLength} bytes, more than the {options.MaxBodyBytes} allowed", "body");
        }

        // Read at most the limit (+1 to notice more), whatever Content-Length claimed.
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > options.MaxBodyBytes)
            {
                throw new ProblemException(StatusCodes.Status413PayloadTooLarge, "Payload too large",
                    $"the body is more than the {options.MaxBodyBytes} bytes allowed", "body");
            }
        }

        try
        {
            return JsonNode.Parse(buffer.ToArray(), documentOptions: DocumentFields.Parsing) as JsonObject
                ?? throw ProblemException.BadRequest("body", "the body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw ProblemException.BadRequest("body", $"malformed JSON: {e.Message}");
        }
    }

    /// <summary>
    /// The text field, by the rules every way in shares
    /// (<see cref="DocumentFields"/>), within this host's limit.
    /// </summary>
    public string Text(JsonObject body)
    {
        (string? text, DocumentProblem? problem) = DocumentFields.Text(body, options.MaxTextChars);
        return text ?? throw Refusal(problem!);
    }

    /// <summary>The optional id (null when absent).</summary>
    public static string? Id(JsonObject body)
    {
        (string? id, DocumentProblem? problem) = DocumentFields.Id(body);
        return problem is null ? id : throw Refusal(problem);
    }

    private static ProblemException Refusal(DocumentProblem p) => p.TooLarge
        ? ProblemException.TooLarge(p.Field, p.Detail)
        : ProblemException.BadRequest(p.Field, p.Detail);

    /// <summary>
    /// The schema: "schema" (a full schema), "labels" (a
    /// subset of the default's keys), or the default.
    /// </summary>
    public LabelSchema Schema(JsonObject body)
    {
        if (body["schema"] is not null && body["labels"] is not null)
        {
            throw ProblemException.BadRequest("labels", "give either labels or schema, not both");
        }

        if (body["schema"] is JsonNode schema)
        {
            LabelSchema parsed;
            try
            {
                parsed = LabelSchemaFile.Parse(schema.ToJsonString(), "schema");
            }
            catch (FormatException e)
            {
                throw ProblemException.BadRequest("schema", e.Message);
            }

            return Bounded(parsed, "schema");
        }

        if (body["labels"] is null)
        {
            return options.DefaultSchema;
        }

        if (body["labels"] is not JsonArray labels || labels.Count == 0
            || labels.Any(l => l is not JsonValue v || !JsonStrings.TryGet(v, out string? s) || s is null))
        {
            throw ProblemException.BadRequest(
                "labels", "labels must be a non-empty array of label names (valid Unicode strings)");
        }

        if (labels.Count > options.MaxLabels)
        {
            throw ProblemException.BadRequest(
                "labels", $"{labels.Count} labels, more than the {options.MaxLabels} a request may bring");
        }

        var keys = labels.Select(l => (string)l!).ToList();
        foreach (string key in keys)
        {
            if (!options.DefaultSchema.Contains(key))
            {
                throw ProblemException.BadRequest("labels", $"unknown label '{Clip(key)}': "
                    + $"this model knows {string.Join(", ", options.DefaultSchema.Keys)} (or send a schema)");
            }
        }

        if (keys.Distinct(StringComparer.Ordinal).Count() != keys.Count)
        {
            throw ProblemException.BadRequest("labels", "a label is named twice");
        }

        return options.DefaultSchema.Subset(keys);
    }

    // A schema of the caller's own: every label is a sequence in step 1 and a prompt to encode.
    private LabelSchema Bounded(LabelSchema schema, string field)
    {
        if (schema.Labels.Count > options.MaxLabels)
        {
            throw ProblemException.BadRequest(
                field, $"{schema.Labels.Count} labels, more than the {options.MaxLabels} a request may bring");
        }

        int chars = schema.Labels.Sum(l => l.Key.Length + l.PromptName.Length);
        return chars <= options.MaxTextChars
            ? schema
            : throw ProblemException.BadRequest(
                field, $"the labels take {chars:N0} characters, more than the {options.MaxTextChars:N0} allowed");
    }

    private static string Clip(string s) => s.Length <= 64 ? s : s[..64] + "…";

    public static string String(JsonObject body, string field)
    {
        if (body[field] is not JsonValue v || !JsonStrings.TryGet(v, out string? s))
        {
            throw ProblemException.BadRequest(field, $"{field} is missing or not a string");
        }

        return s ?? throw ProblemException.BadRequest(field, $"{field} is not valid Unicode (an unpaired surrogate)");
    }

    /// <param name="name">The name refusals give (a nested field's path), if not <paramref name="field"/>.</param>
    public static int Int(JsonObject body, string field, int min, int max, string? name = null)
    {
        name ??= field;
        if (body[field] is not JsonValue v || !v.TryGetValue(out int value))
        {
            throw ProblemException.BadRequest(name, $"{name} is missing or not an integer");
        }

        return value >= min && value <= max
            ? value
            : throw ProblemException.BadRequest(name, $"{name} = {value} is out of range [{min}, {max}]");
    }
}
