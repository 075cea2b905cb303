using System.Text.Json.Serialization;

namespace PaDeLLM.Contracts.Wire;

/// <summary>
/// One document to extract: ExtractDocument's input. With <see cref="Output"/>, the result is
/// written there create-only, and a result already there is returned with no model work.
/// </summary>
public sealed record ExtractDocumentInput(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("schema")] SchemaSpec Schema,
    [property: JsonPropertyName("output")] BlobRef? Output = null);
