using System.Text.Json.Nodes;
using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Orchestrations.Extraction;

/// <summary>
/// PaDeLLM as a durable orchestration: fan out one count activity per label, then one mention
/// activity per (label, k), fan in, merge and de-duplicate (pure code, safe to replay), and
/// write the result blob.
/// Input <c>{"id", "text", "schema", "output"?: {"container", "name"}, "return"?: "result"|"summary"}</c>.
/// With an output whose blob already exists the recorded result is returned and no model work
/// is done, which makes re-running a corpus (or a restart after a kill) exactly-once per document.
/// Output: the result document (docs/result.schema.json), or with "return": "summary" a small
/// summary for a corpus orchestration's history.
/// </summary>
public static class ExtractDocumentOrchestrator
{
    public const string Name = "ExtractDocument";
    public const string CountActivity = "CountLabel";
    public const string MentionActivity = "ExtractMention";
    public const string ReadBlobActivity = "ReadBlob";
    public const string WriteBlobActivity = "WriteBlob";

    /// <summary>The "output" of a document's result: <c>{prefix}{escaped id}.json</c> in the container.</summary>
    public static JsonObject ResultOutput(string container, string prefix, string documentId) =>
        new() { ["container"] = container, ["name"] = $"{prefix}{SafeName.Escape(documentId)}.json" };

    public static async Task<JsonNode?> RunAsync(IOrchestrationContext ctx)
    {
        JsonNode input = ctx.Input ?? throw new ArgumentException("ExtractDocument needs an input");
        string text = (string?)input["text"] ?? throw new ArgumentException("ExtractDocument: input.text is missing");
        LabelSchema schema = SchemaJson.Read(input["schema"] ?? throw new ArgumentException("ExtractDocument: input.schema is missing"));
        JsonNode? output = input["output"];
        bool summaryOnly = (string?)input["return"] == "summary";
        var retry = new RetryPolicy(3, TimeSpan.FromSeconds(1));
        DateTime started = ctx.CurrentUtcDateTime;

        if (output is not null && await ctx.CallActivityAsync(ReadBlobActivity, output.DeepClone(), retry) is JsonObject existing)
        {
            return summaryOnly ? Summary(existing, output, reused: true) : existing;
        }

        JsonNode?[] counts = await Task.WhenAll(schema.Labels.Select(l =>
            ctx.CallActivityAsync(CountActivity, new JsonObject { ["text"] = text, ["schema"] = input["schema"]!.DeepClone(), ["label"] = l.Key }, retry)));

        var failures = new JsonArray();
        var mentionCalls = new List<Task<JsonNode?>>();
        int tokens = 0;
        string? model = null;
        foreach (JsonNode? c in counts)
        {
            tokens += (int?)c!["tokens"] ?? 0;
            model ??= (string?)c["model"];
            if (c["failure"] is JsonNode f)
            {
                failures.Add(new JsonObject { ["label"] = c["label"]!.DeepClone(), ["k"] = 0, ["failure"] = f.DeepClone() });
                continue;
            }

            int n = (int)c["count"]!;
            for (int k = 1; k <= n; k++)
            {
                mentionCalls.Add(ctx.CallActivityAsync(MentionActivity, new JsonObject
                {
                    ["text"] = text,
                    ["schema"] = input["schema"]!.DeepClone(),
                    ["label"] = c["label"]!.DeepClone(),
                    ["count"] = n,
                    ["k"] = k,
                }, retry));
            }
        }

        var predictions = new List<MentionPrediction>();
        foreach (JsonNode? m in await Task.WhenAll(mentionCalls))
        {
            tokens += (int?)m!["tokens"] ?? 0;
            if (m["failure"] is JsonNode f)
            {
                failures.Add(new JsonObject { ["label"] = m["label"]!.DeepClone(), ["k"] = m["k"]!.DeepClone(), ["failure"] = f.DeepClone() });
            }
            else
            {
                predictions.Add(new MentionPrediction((string)m["label"]!, (int)m["k"]!, (string)m["mention"]!, (double)m["logprob"]!));
            }
        }

        ExtractionResult result = ResultAggregator.Aggregate(text, schema, predictions, DedupPolicy.Paper);
        var document = new JsonObject
        {
            ["id"] = input["id"]?.DeepClone(),
            ["text"] = text,
            ["entities"] = new JsonArray(result.Entities.Where(e => e.FoundInText).SelectMany(e => e.Spans.Select(s => (JsonNode)new JsonObject
            {
                ["label"] = e.Label,
                ["text"] = e.Text,
                ["start"] = s.Start,
                ["end"] = s.End,
                ["probability"] = e.Probability,
            })).ToArray()),
            ["unresolved"] = new JsonArray(result.Unresolved.Select(e => (JsonNode)new JsonObject { ["label"] = e.Label, ["text"] = e.Text, ["probability"] = e.Probability }).ToArray()),
            ["failures"] = failures,
            ["model"] = model,
            ["tokens_generated"] = tokens,
            ["sequences"] = counts.Length + mentionCalls.Count,
            ["timings"] = new JsonObject
            {
                ["started"] = started,
                ["completed"] = ctx.CurrentUtcDateTime,
                ["seconds"] = Math.Round((ctx.CurrentUtcDateTime - started).TotalSeconds, 3),
            },
        };

        if (output is not null)
        {
            var write = (JsonObject)output.DeepClone();
            write["content"] = document.DeepClone();
            await ctx.CallActivityAsync(WriteBlobActivity, write, retry);
        }

        return summaryOnly ? Summary(document, output, reused: false) : document;
    }

    private static JsonObject Summary(JsonObject document, JsonNode? output, bool reused) => new()
    {
        ["id"] = document["id"]?.DeepClone(),
        ["blob"] = output?["name"]?.DeepClone(),
        ["entities"] = document["entities"]?.AsArray().Count ?? 0,
        ["failures"] = document["failures"]?.AsArray().Count ?? 0,
        ["tokens_generated"] = document["tokens_generated"]?.DeepClone(),
        ["seconds"] = document["timings"]?["seconds"]?.DeepClone(),
        ["reused"] = reused,
    };
}
