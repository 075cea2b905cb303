using System.Text.Json.Serialization;

namespace PaDeLLM.Ner.Algorithm;

/// <summary>One step-2 sequence: the k-th of <see cref="Count"/> mentions of <see cref="Label"/>.</summary>
public sealed record MentionCall(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("k")] int K)
{
    /// <summary>Set when the k-th mention is decoded again because it repeated another k of its label.</summary>
    [JsonPropertyName("again")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RepeatBars? Again { get; init; }
}
