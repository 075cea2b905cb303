using System.Text.Json.Serialization;

namespace PaDeLLM.Ner.Algorithm;

/// <summary>
/// What a mention decoded again (<see cref="RepeatedSlots"/>) may not do: start where one of <see cref="Avoid"/>
/// stands in the text (so it cannot repeat them), or outside the character positions [<see cref="From"/>,
/// <see cref="Before"/>) that text order leaves it. Copied mentions only: a free decoder cannot be barred.
/// </summary>
public sealed record RepeatBars(
    [property: JsonPropertyName("avoid")] IReadOnlyList<string> Avoid,
    [property: JsonPropertyName("from")] int? From = null,
    [property: JsonPropertyName("before")] int? Before = null);
