using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using PaDeLLM.Activities;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Orchestrations.Extraction;

namespace PaDeLLM.GpuHost;

/// <summary>Reads and validates request bodies, naming the field at fault in every refusal.</summary>
public sealed class RequestReader(GpuHostOptions options)
{
    public async Task<JsonObject> BodyAsync(HttpRequest request)
    {
        string? type = request.ContentType;
        if (type is null || !type.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"send the body as application/json (got '{type ?? "none"}')", "Content-Type");
        }

        if (request.ContentLength > options.MaxBodyBytes)
        {
            throw new ProblemException(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"the body has {request.ContentLength} bytes, more than the {options.MaxBodyBytes} allowed", "body");
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
                throw new ProblemException(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"the body is more than the {options.MaxBodyBytes} bytes allowed", "body");
            }
        }

        try
        {
            return JsonNode.Parse(buffer.ToArray()) as JsonObject ?? throw ProblemException.BadRequest("body", "the body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw ProblemException.BadRequest("body", $"malformed JSON: {e.Message}");
        }
    }

    /// <summary>The text field, by the rules every way in shares (<see cref="DocumentFields"/>), within this host's limit.</summary>
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
        ? new ProblemException(StatusCodes.Status413PayloadTooLarge, "Payload too large", p.Detail, p.Field)
        : ProblemException.BadRequest(p.Field, p.Detail);

    /// <summary>The schema: "schema" (a full schema), "labels" (a subset of the default's keys), or the default.</summary>
    public LabelSchema Schema(JsonObject body)
    {
        if (body["schema"] is not null && body["labels"] is not null)
        {
            throw ProblemException.BadRequest("labels", "give either labels or schema, not both");
        }

        if (body["schema"] is JsonNode schema)
        {
            try
            {
                return LabelSchemaFile.Parse(schema.ToJsonString(), "schema");
            }
            catch (FormatException e)
            {
                throw ProblemException.BadRequest("schema", e.Message);
            }
        }

        if (body["labels"] is null)
        {
            return options.DefaultSchema;
        }

        if (body["labels"] is not JsonArray labels || labels.Count == 0 || labels.Any(l => l is not JsonValue v || !JsonStrings.TryGet(v, out string? s) || s is null))
        {
            throw ProblemException.BadRequest("labels", "labels must be a non-empty array of label names (valid Unicode strings)");
        }

        var keys = labels.Select(l => (string)l!).ToList();
        foreach (string key in keys)
        {
            if (!options.DefaultSchema.Contains(key))
            {
                throw ProblemException.BadRequest("labels", $"unknown label '{key}': this model knows {string.Join(", ", options.DefaultSchema.Keys)} (or send a schema)");
            }
        }

        if (keys.Distinct(StringComparer.Ordinal).Count() != keys.Count)
        {
            throw ProblemException.BadRequest("labels", "a label is named twice");
        }

        return options.DefaultSchema.Subset(keys);
    }

    public static string String(JsonObject body, string field)
    {
        if (body[field] is not JsonValue v || !JsonStrings.TryGet(v, out string? s))
        {
            throw ProblemException.BadRequest(field, $"{field} is missing or not a string");
        }

        return s ?? throw ProblemException.BadRequest(field, $"{field} is not valid Unicode (an unpaired surrogate)");
    }

    public static int Int(JsonObject body, string field, int min, int max)
    {
        if (body[field] is not JsonValue v || !v.TryGetValue(out int value))
        {
            throw ProblemException.BadRequest(field, $"{field} is missing or not an integer");
        }

        return value >= min && value <= max ? value : throw ProblemException.BadRequest(field, $"{field} = {value} is out of range [{min}, {max}]");
    }
}
