using System.Text.Json.Serialization;

namespace PaDeLLM.Contracts.Wire;

/// <summary>
/// A corpus blob to process: ProcessCorpus's input. Results go to <c>{prefix}{id}.json</c> in
/// the output container, then <c>{prefix}manifest.json</c>. <see cref="Progress"/> carries what
/// earlier generations of the instance did (it continues as new every <see cref="ChunkSize"/>
/// documents, so its history stays bounded whatever the corpus's size).
/// </summary>
public sealed record ProcessCorpusInput(
    [property: JsonPropertyName("corpus")] BlobRef Corpus,
    [property: JsonPropertyName("output_container")] string OutputContainer,
    [property: JsonPropertyName("output_prefix")] string OutputPrefix,
    [property: JsonPropertyName("schema")] SchemaSpec Schema,
    [property: JsonPropertyName("concurrency")] int Concurrency = 8,
    [property: JsonPropertyName("chunk_size")] int ChunkSize = 256,
    [property: JsonPropertyName("progress")] CorpusProgress? Progress = null);
