using System.Text.Json.Serialization;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Contracts.Wire;

/// <summary>
/// A mention step: the k-th of count mentions of label (and, for a mention decoded again, the strings it may
/// not repeat and where it may start: <see cref="MentionCall"/>). The mention activity's input and
/// <c>/v1/mention</c>'s body.
/// </summary>
public sealed record MentionRequest(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("schema")] SchemaSpec Schema,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("k")] int K)
{
    [JsonPropertyName("avoid")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Avoid { get; init; }

    [JsonPropertyName("from")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? From { get; init; }

    [JsonPropertyName("before")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Before { get; init; }

    /// <summary>The request for one of the algorithm's mention calls.</summary>
    public static MentionRequest For(string text, SchemaSpec schema, MentionCall call) =>
        new(text, schema, call.Label, call.Count, call.K)
        {
            Avoid = call.Avoid,
            From = call.From,
            Before = call.Before,
        };

    /// <summary>The algorithm's mention call this request carries.</summary>
    [JsonIgnore]
    public MentionCall Call => new(Label, Count, K) { Avoid = Avoid, From = From, Before = Before };
}
