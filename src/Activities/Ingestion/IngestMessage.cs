using System.Text.Json;
using System.Text.Json.Nodes;

namespace PaDeLLM.Activities.Ingestion;

/// <summary>
/// A document on the ingestion queue: <c>{"id"?, "text"}</c>, the id a non-empty string when
/// given, the text non-empty. Read the same way by <c>padellm ingest</c> and the Functions queue trigger.
/// </summary>
public static class IngestMessage
{
    /// <summary>The message's id (null when it has none) and text, or what is wrong with it.</summary>
    public static (string? Id, string? Text, string? Problem) Parse(string message)
    {
        try
        {
            if (JsonNode.Parse(message) is not JsonObject o)
            {
                return (null, null, "the message is not a JSON object {\"id\"?, \"text\"}");
            }

            string? id = o["id"] is null ? null : o["id"] is JsonValue iv && iv.TryGetValue(out string? ids) && ids.Length > 0 ? ids : "";
            if (id is { Length: 0 })
            {
                return (null, null, "field 'id' must be a non-empty string");
            }

            if (o["text"] is not JsonValue tv || !tv.TryGetValue(out string? text) || text.Trim().Length == 0)
            {
                return (null, null, "field 'text' is missing, empty or not a string");
            }

            return (id, text, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (null, null, $"the message is not JSON: {e.Message}");
        }
    }
}
