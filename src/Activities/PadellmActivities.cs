using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Activities.Corpus;
using PaDeLLM.Extraction;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Orchestrations.Extraction;
using PaDeLLM.Orchestrations.Runtime;
using PaDeLLM.Storage.Blobs;

namespace PaDeLLM.Activities;

/// <summary>
/// The pipeline's activities: count and mention over an <see cref="IPadellmEngine"/> (in process
/// or a GPU host over HTTP), and the blob reads and writes of results, manifests and corpora.
/// The same functions back the in-process backend and the Azure Functions handler.
/// </summary>
public static class PadellmActivities
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Registers both orchestrators and every activity on an in-process backend.</summary>
    public static InProcessOrchestrationBackend AddPadellm(this InProcessOrchestrationBackend backend, IPadellmEngine engine, BlobContainers? containers = null)
    {
        backend
            .AddOrchestrator(ExtractDocumentOrchestrator.Name, ExtractDocumentOrchestrator.RunAsync)
            .AddOrchestrator(ProcessCorpusOrchestrator.Name, ProcessCorpusOrchestrator.RunAsync)
            .AddActivity(ExtractDocumentOrchestrator.CountActivity, (input, cancel) => CountAsync(engine, input!, cancel))
            .AddActivity(ExtractDocumentOrchestrator.MentionActivity, (input, cancel) => MentionAsync(engine, input!, cancel));
        if (containers is not null)
        {
            backend
                .AddActivity(ExtractDocumentOrchestrator.ReadBlobActivity, (input, cancel) => ReadBlobAsync(containers, input!, cancel))
                .AddActivity(ExtractDocumentOrchestrator.WriteBlobActivity, (input, cancel) => WriteBlobAsync(containers, input!, cancel))
                .AddActivity(ProcessCorpusOrchestrator.ReadCorpusActivity, (input, cancel) => ReadCorpusAsync(containers, input!, cancel));
        }

        return backend;
    }

    public static async Task<JsonNode?> CountAsync(IPadellmEngine engine, JsonNode input, CancellationToken cancel)
    {
        LabelSchema schema = SchemaJson.Read(input["schema"]!);
        string label = (string)input["label"]!;
        CountAnswer a = (await engine.CountAsync((string)input["text"]!, schema.Subset([label]), cancel))[0];
        return new JsonObject { ["label"] = a.Label, ["count"] = a.Count, ["failure"] = a.Failure, ["tokens"] = a.GeneratedTokens, ["model"] = engine.ModelName };
    }

    public static async Task<JsonNode?> MentionAsync(IPadellmEngine engine, JsonNode input, CancellationToken cancel)
    {
        LabelSchema schema = SchemaJson.Read(input["schema"]!);
        MentionAnswer a = await engine.MentionAsync((string)input["text"]!, schema, (string)input["label"]!, (int)input["count"]!, (int)input["k"]!, cancel);
        return new JsonObject { ["label"] = a.Label, ["k"] = a.K, ["mention"] = a.Mention, ["logprob"] = a.LogProbability, ["failure"] = a.Failure, ["tokens"] = a.GeneratedTokens };
    }

    /// <summary>{"container", "name"} → the blob parsed as JSON, or null when it does not exist.</summary>
    public static async Task<JsonNode?> ReadBlobAsync(BlobContainers containers, JsonNode input, CancellationToken cancel)
    {
        byte[]? content = await containers[(string)input["container"]!].GetAsync((string)input["name"]!, cancel);
        return content is null ? null : JsonNode.Parse(content);
    }

    /// <summary>
    /// {"container", "name", "content", "overwrite"?} → writes content as indented JSON. Without
    /// "overwrite": true the write is create-only, so an activity re-run after a crash (Durable's
    /// at-least-once) finds the blob and leaves it: each result is written exactly once.
    /// </summary>
    public static async Task<JsonNode?> WriteBlobAsync(BlobContainers containers, JsonNode input, CancellationToken cancel)
    {
        IBlobContainer container = containers[(string)input["container"]!];
        await container.CreateIfNotExistsAsync(cancel);
        byte[] bytes = Encoding.UTF8.GetBytes(input["content"]!.ToJsonString(Indented) + "\n");
        bool overwrite = (bool?)input["overwrite"] == true;
        bool written = await container.PutAsync((string)input["name"]!, bytes, "application/json", overwrite, cancel);
        return new JsonObject { ["bytes"] = bytes.Length, ["written"] = written };
    }

    /// <summary>{"container", "name"} → {"documents": [{id, text}], "problems": [{line, error}]}.</summary>
    public static async Task<JsonNode?> ReadCorpusAsync(BlobContainers containers, JsonNode input, CancellationToken cancel)
    {
        IBlobContainer container = containers[(string)input["container"]!];
        string name = (string)input["name"]!;
        byte[] content = await container.GetAsync(name, cancel) ?? throw new FileNotFoundException($"corpus blob '{name}' not found in {container.Location}");
        var (documents, problems) = CorpusDocuments.Parse(content);
        return CorpusDocuments.ToJson(documents, problems, name);
    }
}
