using System.Text.Json.Serialization;

namespace PaDeLLM.Ner.Algorithm;

/// <summary>
/// The answer to one label's count prompt: the count, or why the output could not be read
/// (<see cref="Parsing.ParseFailure"/>'s text), the tokens generated and the model that answered.
/// </summary>
public sealed record CountAnswer(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("count")] int? Count,
    [property: JsonPropertyName("failure")] string? Failure,
    [property: JsonPropertyName("tokens")] int Tokens,
    [property: JsonPropertyName("model")] string? Model = null);
