using System.Text.Json.Serialization;

namespace PaDeLLM.Contracts.Wire;

/// <summary>How far a corpus run has come: documents done so far and their totals, carried across ContinueAsNew.</summary>
public sealed record CorpusProgress(
    [property: JsonPropertyName("next")] int Next,
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
