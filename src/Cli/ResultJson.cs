using System.Text.Encodings.Web;
using System.Text.Json;
using PaDeLLM.Contracts;

namespace PaDeLLM.Cli;

/// <summary>
/// Result documents and manifests as the CLI prints them:
/// the pipeline's JSON, indented, non-ASCII text as is.
/// </summary>
internal static class ResultJson
{
    public static readonly JsonSerializerOptions Options = new(PipelineJson.Default.Options)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
