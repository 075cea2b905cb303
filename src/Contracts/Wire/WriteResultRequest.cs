using System.Text.Json.Serialization;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Contracts.Wire;

/// <summary>
/// WriteResult's input: a result document and where it goes
/// (create-only: a re-run never writes twice).
/// </summary>
public sealed record WriteResultRequest(
    [property: JsonPropertyName("output")] BlobRef Output,
    [property: JsonPropertyName("document")] ResultDocument Document);

/// <summary>WriteManifest's input: a corpus manifest and where it goes (replacing an earlier run's).</summary>
public sealed record WriteManifestRequest(
    [property: JsonPropertyName("output")] BlobRef Output,
    [property: JsonPropertyName("manifest")] CorpusManifest Manifest);
