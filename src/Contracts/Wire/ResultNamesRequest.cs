using System.Text.Json.Serialization;

namespace PaDeLLM.Contracts.Wire;

/// <summary>ExistingResults's input: which of these result blobs already exist (documents a rerun need not redo).</summary>
public sealed record ResultNamesRequest(
    [property: JsonPropertyName("container")] string Container,
    [property: JsonPropertyName("names")] IReadOnlyList<string> Names);
