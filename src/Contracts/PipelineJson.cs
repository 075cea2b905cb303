using System.Text.Json;
using System.Text.Json.Serialization;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Contracts;

/// <summary>
/// The one JSON context for everything the pipeline sends or stores: activity and orchestration
/// inputs and outputs, result documents, manifests and the model host's bodies. Source-generated,
/// so no reflection at run time; every record also names its properties, so Durable's default
/// converter writes the same JSON.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ResultDocument))]
[JsonSerializable(typeof(CountAnswer))]
[JsonSerializable(typeof(CountAnswer[]))]
[JsonSerializable(typeof(MentionAnswer))]
[JsonSerializable(typeof(MentionCall))]
[JsonSerializable(typeof(SchemaSpec))]
[JsonSerializable(typeof(CountRequest))]
[JsonSerializable(typeof(CountResponse))]
[JsonSerializable(typeof(MentionRequest))]
[JsonSerializable(typeof(BlobRef))]
[JsonSerializable(typeof(ExtractDocumentInput))]
[JsonSerializable(typeof(ProcessCorpusInput))]
[JsonSerializable(typeof(CorpusSliceRequest))]
[JsonSerializable(typeof(CorpusSlice))]
[JsonSerializable(typeof(CorpusManifest))]
[JsonSerializable(typeof(WriteResultRequest))]
[JsonSerializable(typeof(WriteManifestRequest))]
[JsonSerializable(typeof(ResultNamesRequest))]
[JsonSerializable(typeof(ExistingResults))]
[JsonSerializable(typeof(PipelineStatus))]
[JsonSerializable(typeof(PipelineAccepted))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
public sealed partial class PipelineJson : JsonSerializerContext
{
    private static PipelineJson? _indented;

    /// <summary>The same context writing indented JSON (result blobs and manifests, for people).</summary>
    public static PipelineJson Indented =>
        _indented ??= new(new JsonSerializerOptions(Default.Options) { WriteIndented = true });
}
