using System.Text.Json.Nodes;
using PaDeLLM.Orchestrations.Extraction;

namespace PaDeLLM.Functions.Handler;

/// <summary>What kind of function a route is, which decides how its envelope is read and answered.</summary>
public enum FunctionKind
{
    Orchestrator,
    Activity,
    HttpStart,
    HttpStatus,
    CorpusBlob,
    IngestQueue,
}

/// <summary>
/// Every function of the app, with the bindings of its <c>function.json</c>: the single source
/// from which the publish step writes the function folders and the handler routes requests.
/// </summary>
public static class FunctionCatalog
{
    public const string HttpStart = "HttpStart";
    public const string HttpStatus = "Status";
    public const string CorpusBlob = "CorpusBlobTrigger";
    public const string IngestQueue = "IngestQueueTrigger";
    public const string CorpusContainer = "corpus";
    public const string ResultsContainer = "results";
    public const string IngestQueueName = "ingest";

    public static readonly IReadOnlyDictionary<string, FunctionKind> Functions = new Dictionary<string, FunctionKind>(StringComparer.Ordinal)
    {
        [ExtractDocumentOrchestrator.Name] = FunctionKind.Orchestrator,
        [ProcessCorpusOrchestrator.Name] = FunctionKind.Orchestrator,
        [ExtractDocumentOrchestrator.CountActivity] = FunctionKind.Activity,
        [ExtractDocumentOrchestrator.MentionActivity] = FunctionKind.Activity,
        [ExtractDocumentOrchestrator.ReadBlobActivity] = FunctionKind.Activity,
        [ExtractDocumentOrchestrator.WriteBlobActivity] = FunctionKind.Activity,
        [ProcessCorpusOrchestrator.ReadCorpusActivity] = FunctionKind.Activity,
        [HttpStart] = FunctionKind.HttpStart,
        [HttpStatus] = FunctionKind.HttpStatus,
        [CorpusBlob] = FunctionKind.CorpusBlob,
        [IngestQueue] = FunctionKind.IngestQueue,
    };

    /// <summary>The function's <c>function.json</c>.</summary>
    public static JsonObject FunctionJson(string name)
    {
        JsonObject Starter() => new() { ["name"] = "starter", ["type"] = "durableClient", ["direction"] = "in" };
        JsonObject HttpOut() => new() { ["name"] = "res", ["type"] = "http", ["direction"] = "out" };
        JsonArray bindings = Functions[name] switch
        {
            FunctionKind.Orchestrator => [new JsonObject { ["name"] = "context", ["type"] = "orchestrationTrigger", ["direction"] = "in" }],
            FunctionKind.Activity => [new JsonObject { ["name"] = "input", ["type"] = "activityTrigger", ["direction"] = "in" }],
            FunctionKind.HttpStart =>
            [
                new JsonObject { ["name"] = "req", ["type"] = "httpTrigger", ["direction"] = "in", ["authLevel"] = "function", ["methods"] = new JsonArray("post"), ["route"] = "extract" },
                HttpOut(), Starter(),
            ],
            FunctionKind.HttpStatus =>
            [
                new JsonObject { ["name"] = "req", ["type"] = "httpTrigger", ["direction"] = "in", ["authLevel"] = "function", ["methods"] = new JsonArray("get"), ["route"] = "extract/{instanceId}" },
                HttpOut(), Starter(),
            ],
            FunctionKind.CorpusBlob =>
            [
                new JsonObject { ["name"] = "corpus", ["type"] = "blobTrigger", ["direction"] = "in", ["path"] = $"{CorpusContainer}/{{name}}", ["connection"] = "AzureWebJobsStorage", ["dataType"] = "binary" },
                Starter(),
            ],
            FunctionKind.IngestQueue =>
            [
                new JsonObject { ["name"] = "message", ["type"] = "queueTrigger", ["direction"] = "in", ["queueName"] = IngestQueueName, ["connection"] = "AzureWebJobsStorage" },
                Starter(),
            ],
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        return new JsonObject { ["bindings"] = bindings };
    }

    /// <summary>Writes <c>{dir}/{function}/function.json</c> for every function.</summary>
    public static void WriteFunctionFolders(string appDirectory)
    {
        foreach (string name in Functions.Keys)
        {
            string dir = Path.Combine(appDirectory, name);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "function.json"), FunctionJson(name).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        }
    }
}
