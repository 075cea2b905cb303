using System.Text.Json.Serialization;

namespace PaDeLLM.Contracts.Wire;

/// <summary>
/// ExistingResults's input: result blobs and the texts they should hold (documents a rerun need
/// not redo, if their results are there and are theirs).
/// </summary>
public sealed record ResultNamesRequest(
    [property: JsonPropertyName("container")] string Container,
    [property: JsonPropertyName("names")] IReadOnlyList<string> Names,
    [property: JsonPropertyName("texts")] IReadOnlyList<string> Texts);

/// <summary>
/// ExistingResults's output: the names whose result holds the document's text (done), and those
/// that exist but hold another text or no result document (failures to report, never overwritten).
/// </summary>
public sealed record ExistingResults(
    [property: JsonPropertyName("done")] IReadOnlyList<string> Done,
    [property: JsonPropertyName("conflicts")] IReadOnlyList<ResultConflict> Conflicts);

/// <summary>A result blob that is in the way: its name and what is wrong with it.</summary>
public sealed record ResultConflict(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("error")] string Error);
