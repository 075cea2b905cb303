using System.Text.Json.Serialization;

namespace PaDeLLM.Contracts.Wire;

/// <summary>
/// How far a corpus run has come, carried across ContinueAsNew: documents read so far, where the
/// next slice starts in the blob, and the totals.
/// </summary>
public sealed record CorpusProgress(
    [property: JsonPropertyName("next")] int Next,
    [property: JsonPropertyName("offset")] long Offset,
    [property: JsonPropertyName("line")] int Line,
    [property: JsonPropertyName("started")] DateTime Started,
    [property: JsonPropertyName("succeeded")] int Succeeded,
    [property: JsonPropertyName("reused")] int Reused,
    [property: JsonPropertyName("entities")] int Entities,
    [property: JsonPropertyName("tokens_generated")] long TokensGenerated,
    [property: JsonPropertyName("failures")] IReadOnlyList<CorpusFailure> Failures);

/// <summary>A document (or a corpus line) that failed, and why.</summary>
public sealed record CorpusFailure(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("line")] int? Line,
    [property: JsonPropertyName("error")] string Error);
