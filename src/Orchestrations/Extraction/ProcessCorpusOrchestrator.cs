using System.Text.Json.Nodes;

namespace PaDeLLM.Orchestrations.Extraction;

/// <summary>
/// The corpus path (blob-triggered in Azure, <c>padellm corpus</c> locally): read the corpus
/// blob's documents, run <see cref="ExtractDocumentOrchestrator"/> for each with at most
/// <c>concurrency</c> in flight, then write a manifest (counts, failures, timings).
/// Input <c>{"corpus": {"container", "name"}, "output": {"container", "prefix"}, "schema", "concurrency"?}</c>.
/// Each document's sub-orchestration id is derived from this instance's id and the document
/// id, so a resumed run finds the documents it already finished.
/// </summary>
public static class ProcessCorpusOrchestrator
{
    public const string Name = "ProcessCorpus";
    public const string ReadCorpusActivity = "ReadCorpus";

    public static async Task<JsonNode?> RunAsync(IOrchestrationContext ctx)
    {
        JsonNode input = ctx.Input ?? throw new ArgumentException("ProcessCorpus needs an input");
        JsonNode corpus = input["corpus"] ?? throw new ArgumentException("ProcessCorpus: input.corpus is missing");
        JsonNode output = input["output"] ?? throw new ArgumentException("ProcessCorpus: input.output is missing");
        string container = (string?)output["container"] ?? throw new ArgumentException("ProcessCorpus: input.output.container is missing");
        string prefix = (string?)output["prefix"] ?? "";
        int concurrency = Math.Clamp((int?)input["concurrency"] ?? 8, 1, 1024);
        DateTime started = ctx.CurrentUtcDateTime;
        var retry = new RetryPolicy(3, TimeSpan.FromSeconds(1));

        JsonNode read = (await ctx.CallActivityAsync(ReadCorpusActivity, corpus.DeepClone(), retry))!;
        JsonArray documents = read["documents"]!.AsArray();
        var failures = new JsonArray();
        foreach (JsonNode? problem in read["problems"]?.AsArray() ?? [])
        {
            failures.Add(problem!.DeepClone());
        }

        int succeeded = 0, reused = 0, entities = 0;
        long tokens = 0;
        var inFlight = new Dictionary<Task<JsonNode?>, string>();
        int next = 0;
        while (next < documents.Count || inFlight.Count > 0)
        {
            while (next < documents.Count && inFlight.Count < concurrency)
            {
                JsonNode doc = documents[next++]!;
                string id = (string)doc["id"]!;
                var docInput = new JsonObject
                {
                    ["id"] = id,
                    ["text"] = doc["text"]!.DeepClone(),
                    ["schema"] = input["schema"]!.DeepClone(),
                    ["output"] = ExtractDocumentOrchestrator.ResultOutput(container, prefix, id),
                    ["return"] = "summary",
                };
                inFlight[ctx.CallSubOrchestratorAsync(ExtractDocumentOrchestrator.Name, docInput, $"{ctx.InstanceId}|{id}")] = id;
            }

            Task<JsonNode?> done = await Task.WhenAny(inFlight.Keys);
            string doneId = inFlight[done];
            inFlight.Remove(done);
            try
            {
                JsonNode summary = (await done)!;
                succeeded++;
                reused += (bool?)summary["reused"] == true ? 1 : 0;
                entities += (int?)summary["entities"] ?? 0;
                tokens += (int?)summary["tokens_generated"] ?? 0;
            }
            catch (TaskFailedException e)
            {
                failures.Add(new JsonObject { ["id"] = doneId, ["error"] = e.Error });
            }
        }

        var manifest = new JsonObject
        {
            ["corpus"] = corpus.DeepClone(),
            ["output"] = output.DeepClone(),
            ["documents"] = documents.Count,
            ["succeeded"] = succeeded,
            ["failed"] = failures.Count,
            ["reused"] = reused,
            ["entities"] = entities,
            ["tokens_generated"] = tokens,
            ["failures"] = failures,
            ["started"] = started,
            ["completed"] = ctx.CurrentUtcDateTime,
            ["seconds"] = Math.Round((ctx.CurrentUtcDateTime - started).TotalSeconds, 3),
        };
        await ctx.CallActivityAsync(ExtractDocumentOrchestrator.WriteBlobActivity, new JsonObject
        {
            ["container"] = container,
            ["name"] = $"{prefix}manifest.json",
            ["content"] = manifest.DeepClone(),
            ["overwrite"] = true, // each run's manifest replaces the last
        }, retry);
        return manifest;
    }
}
