using System.Text.Json.Serialization;

namespace PaDeLLM.Ner.Algorithm;

/// <summary>One step-2 sequence: the k-th of <see cref="Count"/> mentions of <see cref="Label"/>.</summary>
public sealed record MentionCall(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("k")] int K)
{
    /// <summary>
    /// Strings this mention may not repeat (copied mentions only: it may not start where one of them stands in
    /// the text); null for the paper's step 2. Set when the k-th mention is decoded again because it repeated
    /// another k of its label (<see cref="RepeatedSlots"/>).
    /// </summary>
    [JsonPropertyName("avoid")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Avoid { get; init; }

    /// <summary>With <see cref="Avoid"/>: the first character position in the text this mention may start at.</summary>
    [JsonPropertyName("from")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? From { get; init; }

    /// <summary>With <see cref="Avoid"/>: the character position this mention must start before.</summary>
    [JsonPropertyName("before")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Before { get; init; }
}
