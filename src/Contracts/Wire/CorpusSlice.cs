using System.Text.Json.Serialization;

namespace PaDeLLM.Contracts.Wire;

/// <summary>
/// ReadCorpus's input: up to <see cref="Count"/> documents of a corpus blob from byte
/// <see cref="Offset"/>, which starts line <see cref="Line"/> (1-based). A cursor, not an index,
/// so each slice reads only its own part of the blob, however large the corpus.
/// </summary>
public sealed record CorpusSliceRequest(
    [property: JsonPropertyName("corpus")] BlobRef Corpus,
    [property: JsonPropertyName("offset")] long Offset,
    [property: JsonPropertyName("line")] int Line,
    [property: JsonPropertyName("count")] int Count);

/// <summary>
/// ReadCorpus's output: the slice's documents and unreadable lines, where the next slice starts,
/// and whether the blob ended.
/// </summary>
public sealed record CorpusSlice(
    [property: JsonPropertyName("documents")] IReadOnlyList<CorpusDocument> Documents,
    [property: JsonPropertyName("problems")] IReadOnlyList<CorpusFailure> Problems,
    [property: JsonPropertyName("next_offset")] long NextOffset,
    [property: JsonPropertyName("next_line")] int NextLine,
    [property: JsonPropertyName("at_end")] bool AtEnd);

/// <summary>One document of a corpus: its id (given, or its line number) and its text.</summary>
public sealed record CorpusDocument(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text);
