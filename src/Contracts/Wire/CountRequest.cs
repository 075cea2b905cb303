using System.Text.Json.Serialization;

namespace PaDeLLM.Contracts.Wire;

/// <summary>
/// A count step: the text, its schema and the labels to count (all of the schema's when null).
/// The count activity's input and the body of the model host's <c>/v1/count</c>.
/// </summary>
public sealed record CountRequest(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("schema")] SchemaSpec Schema,
    [property: JsonPropertyName("label")] string? Label = null);
