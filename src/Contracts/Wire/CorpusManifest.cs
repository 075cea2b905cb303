using System.Text.Json.Serialization;

namespace PaDeLLM.Contracts.Wire;

/// <summary>
/// What a corpus run did, written beside its results as
/// <c>manifest.json</c> and returned by ProcessCorpus.
/// </summary>
public sealed record CorpusManifest(
    [property: JsonPropertyName("corpus")] BlobRef Corpus,
    [property: JsonPropertyName("output_container")] string OutputContainer,
    [property: JsonPropertyName("output_prefix")] string OutputPrefix,
    [property: JsonPropertyName("documents")] int Documents,
    [property: JsonPropertyName("succeeded")] int Succeeded,
    [property: JsonPropertyName("failed")] int Failed,
    [property: JsonPropertyName("reused")] int Reused,
    [property: JsonPropertyName("entities")] int Entities,
    [property: JsonPropertyName("tokens_generated")] long TokensGenerated,
    [property: JsonPropertyName("failures")] IReadOnlyList<CorpusFailure> Failures,
    [property: JsonPropertyName("started")] DateTime Started,
    [property: JsonPropertyName("completed")] DateTime Completed,
    [property: JsonPropertyName("seconds")] double Seconds);
