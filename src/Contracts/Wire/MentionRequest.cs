using System.Text.Json.Serialization;

namespace PaDeLLM.Contracts.Wire;

/// <summary>
/// A mention step: the k-th of count mentions of label. The
/// mention activity's input and <c>/v1/mention</c>'s body.
/// </summary>
public sealed record MentionRequest(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("schema")] SchemaSpec Schema,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("k")] int K);
