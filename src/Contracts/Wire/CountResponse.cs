using System.Text.Json.Serialization;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Contracts.Wire;

/// <summary>The model host's answer to <c>/v1/count</c>: the model's name and one count per label.</summary>
public sealed record CountResponse(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("counts")] IReadOnlyList<CountAnswer> Counts);
