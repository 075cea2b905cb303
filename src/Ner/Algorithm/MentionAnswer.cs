using System.Text.Json.Serialization;

namespace PaDeLLM.Ner.Algorithm;

/// <summary>
/// The answer to one mention prompt: the mention (null with a <see cref="Failure"/>), the sum of
/// its tokens' log-probabilities over the full vocabulary (EOS excluded) and the tokens generated.
/// </summary>
public sealed record MentionAnswer(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("k")] int K,
    [property: JsonPropertyName("mention")] string? Mention,
    [property: JsonPropertyName("logprob")] double LogProbability,
    [property: JsonPropertyName("failure")] string? Failure,
    [property: JsonPropertyName("tokens")] int Tokens);
