using System.Security.Cryptography;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Functions.Configuration;

namespace PaDeLLM.Functions.Triggers;

/// <summary>
/// A corpus blob (JSON lines) written to <c>corpus/</c> starts ProcessCorpus: results under
/// <c>results/{name without extension}/</c>, then its manifest.json. The instance id names the
/// blob and its content, so a second delivery of the trigger, or the same bytes uploaded again,
/// is the same run, while new content under the same name is a new one.
/// </summary>
public sealed class CorpusBlobFunction(
    PipelineSchema schema, IOptions<PadellmFunctionsOptions> options, ILogger<CorpusBlobFunction> logger)
{
    public const string Name = "CorpusBlobTrigger";

    [Function(Name)]
    public async Task RunAsync(
        [BlobTrigger(AppNames.CorpusContainer + "/{name}", Connection = AppNames.StorageConnection)] byte[] content,
        string name,
        [DurableClient] DurableTaskClient client,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(context);
        PadellmFunctionsOptions settings = options.Value;
        string instanceId = InstanceId(name, content);
        var input = new ProcessCorpusInput(new BlobRef(AppNames.CorpusContainer, name), settings.ResultsContainer,
            OutputPrefix(name), schema.Spec, settings.CorpusConcurrency, settings.CorpusChunkSize);
        OrchestrationRuntimeStatus? existing = await OrchestrationStarts.StartOnceAsync(
            client, TaskNames.ProcessCorpus, instanceId, input, context.CancellationToken);
        string source = $"{AppNames.CorpusContainer}/{name}";
        if (existing is OrchestrationRuntimeStatus status)
        {
            Log.AlreadyThere(logger, TaskNames.ProcessCorpus, instanceId, status.ToString(), source);
        }
        else
        {
            Log.Scheduled(logger, TaskNames.ProcessCorpus, instanceId, source);
        }
    }

    /// <summary><c>corpus-{escaped name}-{first 16 hex digits of the content's SHA-256}</c>.</summary>
    public static string InstanceId(string name, ReadOnlySpan<byte> content) =>
        InstanceIds.Corpus(name, content);

    /// <summary>
    /// The blob's name less its extension, as a folder: <c>news/2024.jsonl</c> gives <c>news/2024/</c>.
    /// </summary>
    public static string OutputPrefix(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int slash = name.LastIndexOf('/');
        int dot = name.LastIndexOf('.');
        string stem = dot > slash + 1 ? name[..dot] : name;
        return $"{stem}/";
    }
}
