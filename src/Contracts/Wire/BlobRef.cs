using System.Text.Json.Serialization;

namespace PaDeLLM.Contracts.Wire;

/// <summary>
/// A blob by container name and blob name. Orchestrations only ever hold names, resolved to a
/// local directory or an Azure container by the activities' host, so histories stay small.
/// </summary>
public sealed record BlobRef(
    [property: JsonPropertyName("container")] string Container,
    [property: JsonPropertyName("name")] string Name);
