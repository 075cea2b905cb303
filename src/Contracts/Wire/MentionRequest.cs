using System.Text.Json.Serialization;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Contracts.Wire;

/// <summary>
/// A mention step: the k-th of count mentions of label (with, for a mention decoded again, its
/// <see cref="RepeatBars"/>). The mention activity's input and <c>/v1/mention</c>'s body.
/// </summary>
public sealed record MentionRequest(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("schema")] SchemaSpec Schema,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("k")] int K)
{
    [JsonPropertyName("again")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RepeatBars? Again { get; init; }

    /// <summary>The request for one of the algorithm's mention calls.</summary>
    public static MentionRequest For(string text, SchemaSpec schema, MentionCall call) =>
        new(text, schema, call.Label, call.Count, call.K) { Again = call.Again };

    /// <summary>The algorithm's mention call this request carries.</summary>
    [JsonIgnore]
    public MentionCall Call => new(Label, Count, K) { Again = Again };
}
