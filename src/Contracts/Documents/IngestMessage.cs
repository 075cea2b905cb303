using System.Text.Json;
using System.Text.Json.Nodes;

namespace PaDeLLM.Contracts.Documents;

/// <summary>
/// A document on the ingestion queue: <c>{"id"?, "text"}</c> under the rules of
/// <see cref="DocumentFields"/>. Read the same way by <c>padellm ingest</c> and the Functions queue trigger.
/// </summary>
public static class IngestMessage
{
    /// <summary>The message's id (null when it has none) and text, or what is wrong with it.</summary>
    public static (string? Id, string? Text, string? Problem) Parse(string message)
    {
        try
        {
            if (JsonNode.Parse(message, documentOptions: DocumentFields.Parsing) is not JsonObject o)
            {
                return (null, null, "the message is not a JSON object {\"id\"?, \"text\"}");
            }

            (string? id, DocumentProblem? idProblem) = DocumentFields.Id(o);
            (string? text, DocumentProblem? textProblem) = DocumentFields.Text(o, CorpusDocuments.MaxTextChars);
            if ((idProblem ?? textProblem) is DocumentProblem problem)
            {
                return (null, null, problem.Detail);
            }

            return (id, text, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (null, null, $"the message is not JSON: {e.Message}");
        }
    }
}
