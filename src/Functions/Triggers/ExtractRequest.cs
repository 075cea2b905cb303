using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Contracts.Documents;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Functions.Configuration;

namespace PaDeLLM.Functions.Triggers;

/// <summary>
/// The body of <c>POST api/extract</c>: <c>{"id"?, "text", "labels"?}</c>, read under the
/// rules every way in shares (<see cref="DocumentFields"/>); labels must be the app's.
/// </summary>
public sealed record ExtractRequest(string? Id, string Text, SchemaSpec Schema)
{
    /// <summary>The request, or the problem with it (the field it names; TooLarge maps to 413).</summary>
    public static (ExtractRequest? Request, DocumentProblem? Problem) Parse(
        string body, PipelineSchema schema, int maxTextChars)
    {
        ArgumentNullException.ThrowIfNull(schema);
        JsonObject? o;
        try
        {
            o = JsonNode.Parse(body, documentOptions: DocumentFields.Parsing) as JsonObject;
        }
        catch (JsonException)
        {
            o = null;
        }

        if (o is null)
        {
            const string Shape = "the body must be a JSON object {\"text\", \"id\"?, \"labels\"?}";
            return (null, new DocumentProblem("body", Shape));
        }

        (string? id, DocumentProblem? idProblem) = DocumentFields.Id(o);
        if (idProblem is not null)
        {
            return (null, idProblem);
        }

        (string? text, DocumentProblem? textProblem) = DocumentFields.Text(o, maxTextChars);
        if (textProblem is not null)
        {
            return (null, textProblem);
        }

        (IReadOnlyList<string>? labels, string? labelsProblem) = Labels(o["labels"]);
        (SchemaSpec? spec, string? schemaProblem) = labelsProblem is null ? schema.For(labels) : (null, labelsProblem);
        return spec is null
            ? (null, new DocumentProblem("labels", schemaProblem!))
            : (new ExtractRequest(id, text!, spec), null);
    }

    private static (IReadOnlyList<string>? Labels, string? Problem) Labels(JsonNode? node)
    {
        if (node is null)
        {
            return (null, null);
        }

        const string Rule = "field 'labels' must be an array of label names";
        if (node is not JsonArray array)
        {
            return (null, Rule);
        }

        var labels = new List<string>();
        foreach (JsonNode? item in array)
        {
            if (item is not JsonValue v || !v.TryGetValue(out string? label))
            {
                return (null, Rule);
            }

            labels.Add(label);
        }

        return (labels, null);
    }
}
