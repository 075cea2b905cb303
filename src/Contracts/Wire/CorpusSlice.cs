using System.Text.Json.Serialization;

namespace PaDeLLM.Contracts.Wire;

/// <summary>ReadCorpus's input: documents [<see cref="Start"/>, <see cref="Start"/> + <see cref="Count"/>) of a corpus blob.</summary>
public sealed record CorpusSliceRequest(
    [property: JsonPropertyName("corpus")] BlobRef Corpus,
    [property: JsonPropertyName("start")] int Start,
    [property: JsonPropertyName("count")] int Count);

/// <summary>
/// ReadCorpus's output: the slice's documents, how many the corpus has in all, and (in the
/// first slice only) the lines that could not be read.
/// </summary>
public sealed record CorpusSlice(
    [property: JsonPropertyName("documents")] IReadOnlyList<CorpusDocument> Documents,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("problems")] IReadOnlyList<CorpusFailure> Problems);

/// <summary>One document of a corpus: its id (given, or its line number) and its text.</summary>
public sealed record CorpusDocument(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text);
