using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Orchestrations;
using PaDeLLM.Storage.Azure;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers.HuggingFace;
using PaDeLLM.Worker.Ingestion;
using Xunit;

namespace PaDeLLM.Worker.Tests;

/// <summary>
/// The corpus and queue paths end to end on the synthetic model, on the Durable Task engine in
/// this process: ProcessCorpus over ExtractDocument, results in local directories or Azurite.
/// </summary>
[Collection(SyntheticModelCollection.Name)]
public sealed class CorpusPipelineTests(SyntheticModelFixture trained)
{
    [Fact]
    public async Task A_corpus_gives_one_result_per_document_equal_to_padellm_extract_and_a_rerun_does_no_model_work()
    {
        using var dir = new TempDir();
        using var model = DecoderModel.Load(trained.Directory);
        var tokenizer = HfTokenizer.Load(Path.Combine(trained.Directory, "tokenizer.json"));
        using var service = new PadellmEngineService(model, tokenizer) { ModelName = "synthetic" };
        var engine = new CountingEngine(service);
        List<Sentence> sentences = SyntheticNer.Generate(24, 5);
        var corpus = new LocalDirectoryContainer(Path.Combine(dir.Path, "in"));
        var results = new LocalDirectoryContainer(Path.Combine(dir.Path, "out"));
        await corpus.CreateIfNotExistsAsync();
        string lines = string.Join("\n",
                sentences.Select((s, i) => new JsonObject { ["id"] = $"s{i}", ["text"] = s.Text }.ToJsonString()))
            + "\n{\"text\": 42}\n\n[\"from the paper's data format\", [0, 3, \"from\", \"X\"]]\n"
            + "{\"id\": \"s3\", \"text\": \"a duplicate id\"}\n";
        await corpus.PutAsync("batch.jsonl", Encoding.UTF8.GetBytes(lines));

        CorpusManifest manifest = await RunCorpus(engine, corpus, results, "run-1");
        Assert.Equal((25, 25), (manifest.Documents, manifest.Succeeded));
        Assert.Equal(
            ["batch.jsonl:25: field 'text' is missing or not a string", "batch.jsonl:28: id 's3' appears twice"],
            manifest.Failures.Select(f => f.Error));

        // Every result is what `padellm extract` (the prefix-tree extractor) finds on the same text.
        var extractor = new PadellmExtractor(model, tokenizer);
        for (int i = 0; i < sentences.Count; i++)
        {
            ResultDocument result = Read(await results.GetAsync($"batch/s{i}.json"));
            Assert.Equal((sentences[i].Text, "synthetic"), (result.Text, result.Model));
            Assert.Equal(
                extractor.Extract(sentences[i].Text, SyntheticNer.Schema).Entities
                    .Select(e => (e.Label, e.Text, e.Start, e.End)).Order(),
                result.Entities.Select(e => (e.Label, e.Text, e.Start, e.End)).Order());
        }

        Assert.NotNull(await results.GetAsync("batch/27.json")); // the paper-format line, id = its line number
        await foreach (BlobItem blob in results.ListAsync("batch/"))
        {
            if (!blob.Name.EndsWith("manifest.json", StringComparison.Ordinal))
            {
                ResultSchema.AssertConforms(
                    JsonNode.Parse((await results.GetAsync(blob.Name))!)!.AsObject(), blob.Name);
            }
        }

        int firstRunCalls = engine.Calls;
        Assert.True(firstRunCalls >= 25 * 2, $"{firstRunCalls} engine calls");

        // The same corpus again (a new process would be a new instance too): every document is found, no model work.
        CorpusManifest again = await RunCorpus(engine, corpus, results, "run-2");
        Assert.Equal((25, 25), (again.Succeeded, again.Reused));
        Assert.Equal(firstRunCalls, engine.Calls);
    }

    [AzuriteFact]
    public async Task The_same_corpus_through_Azurite_containers_gives_the_same_results_as_local_directories()
    {
        using var azurite = new Azurite();
        using var dir = new TempDir();
        using var model = DecoderModel.Load(trained.Directory);
        var tokenizer = HfTokenizer.Load(Path.Combine(trained.Directory, "tokenizer.json"));
        using var engine = new PadellmEngineService(model, tokenizer);
        byte[] lines = Encoding.UTF8.GetBytes(string.Join("\n",
            SyntheticNer.Generate(10, 11).Select(s => JsonValue.Create(s.Text)!.ToJsonString())));

        var localIn = new LocalDirectoryContainer(Path.Combine(dir.Path, "in"));
        var localOut = new LocalDirectoryContainer(Path.Combine(dir.Path, "out"));
        await localIn.CreateIfNotExistsAsync();
        await localIn.PutAsync("docs.jsonl", lines);
        await RunCorpus(engine, localIn, localOut, "local");

        AzureBlobContainer blobIn = azurite.Connection.Container("corpus"),
            blobOut = azurite.Connection.Container("results");
        await blobIn.CreateIfNotExistsAsync();
        await blobIn.PutAsync("docs.jsonl", lines);
        await RunCorpus(engine, blobIn, blobOut, "azure", azurite.Connection);

        var localNames = await Names(localOut, "");
        Assert.Equal(localNames, await Names(blobOut, ""));
        Assert.Equal(11, localNames.Count);
        foreach (string name in localNames.Where(n => !n.EndsWith("manifest.json", StringComparison.Ordinal)))
        {
            Assert.Equal(WithoutTimings(await localOut.GetAsync(name)), WithoutTimings(await blobOut.GetAsync(name)));
        }
    }

    [AzuriteFact]
    public async Task
        Documents_through_an_Azurite_queue_give_the_corpus_results_and_bad_messages_go_to_the_poison_queue()
    {
        using var azurite = new Azurite();
        using var dir = new TempDir();
        using var model = DecoderModel.Load(trained.Directory);
        var tokenizer = HfTokenizer.Load(Path.Combine(trained.Directory, "tokenizer.json"));
        using var service = new PadellmEngineService(model, tokenizer);
        var engine = new FailingEngine(service, "FAIL");
        List<Sentence> sentences = SyntheticNer.Generate(8, 13);

        var localIn = new LocalDirectoryContainer(Path.Combine(dir.Path, "in"));
        var localOut = new LocalDirectoryContainer(Path.Combine(dir.Path, "out"));
        await localIn.CreateIfNotExistsAsync();
        await localIn.PutAsync("docs.jsonl", Encoding.UTF8.GetBytes(string.Join("\n",
            sentences.Select((s, i) => new JsonObject { ["id"] = $"q{i}", ["text"] = s.Text }.ToJsonString()))));
        await RunCorpus(engine, localIn, localOut, "local");

        AzureQueue queue = azurite.Connection.Queue("ingest"), poison = azurite.Connection.Queue("ingest-poison");
        await queue.CreateAsync();
        await poison.CreateAsync();
        foreach ((Sentence s, int i) in sentences.Select((s, i) => (s, i)))
        {
            await queue.SendAsync(new JsonObject { ["id"] = $"q{i}", ["text"] = s.Text }.ToJsonString());
        }

        await queue.SendAsync("not json at all");
        await queue.SendAsync("{\"id\": \"always-fails\", \"text\": \"FAIL every time\"}");
        AzureBlobContainer results = azurite.Connection.Container("results");
        await results.CreateIfNotExistsAsync();
        await using var pipeline =
            DurablePipeline.InMemory(new PipelineTasks(engine, BlobContainers.For(azurite.Connection)));
        await pipeline.StartAsync();
        var ingestor = new QueueIngestor(queue, poison, pipeline, SchemaSpec.From(SyntheticNer.Schema))
        {
            VisibilityTimeout = TimeSpan.FromSeconds(2),
        };

        // Pump until the failing message has been handed out more than five times and poisoned.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (ingestor.Poisoned < 2 && DateTime.UtcNow < deadline)
        {
            if (await ingestor.PumpOnceAsync() == 0)
            {
                await Task.Delay(300);
            }
        }

        Assert.Equal((8, 2), (ingestor.Processed, ingestor.Poisoned));
        var poisoned = (await poison.ReceiveAsync(32, TimeSpan.FromSeconds(30)))
            .Select(m => JsonNode.Parse(m.Text)!).ToDictionary(p => (string)p["text"]!);
        Assert.Equal(6, (int)poisoned["{\"id\": \"always-fails\", \"text\": \"FAIL every time\"}"]["dequeue_count"]!);
        Assert.Contains("not JSON", (string)poisoned["not json at all"]["reason"]!, StringComparison.Ordinal);
        Assert.Empty(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(1)));
        for (int i = 0; i < sentences.Count; i++)
        {
            Assert.Equal(WithoutTimings(await localOut.GetAsync($"docs/q{i}.json")),
                WithoutTimings(await results.GetAsync($"ingest/q{i}.json")));
        }
    }

    internal static async Task<CorpusManifest> RunCorpus(
        IPadellmEngine engine,
        IBlobContainer corpus,
        IBlobContainer results,
        string instance,
        StorageConnection? azure = null)
    {
        await using var pipeline = DurablePipeline.InMemory(new PipelineTasks(engine, BlobContainers.For(azure)));
        await pipeline.StartAsync();
        string blob = (await Names(corpus, ""))[0];
        var input = new ProcessCorpusInput(new BlobRef(BlobContainers.NameOf(corpus), blob),
            BlobContainers.NameOf(results), Path.GetFileNameWithoutExtension(blob) + "/",
            SchemaSpec.From(SyntheticNer.Schema), Concurrency: 4);
        await pipeline.ScheduleAsync(TaskNames.ProcessCorpus, instance, input);
        InstanceOutcome<CorpusManifest> outcome =
            await pipeline.WaitAsync<CorpusManifest>(instance, TimeSpan.FromMinutes(5));
        Assert.True(outcome.Completed, $"{outcome.Status}: {outcome.Failure}");
        return outcome.Output!;
    }

    internal static async Task<List<string>> Names(IBlobContainer container, string prefix)
    {
        var names = new List<string>();
        await foreach (BlobItem b in container.ListAsync(prefix))
        {
            names.Add(b.Name);
        }

        return names;
    }

    internal static ResultDocument Read(byte[]? json) =>
        JsonSerializer.Deserialize(json!, PipelineJson.Default.ResultDocument)!;

    internal static string WithoutTimings(byte[]? json)
    {
        JsonObject o = JsonNode.Parse(json!)!.AsObject();
        o.Remove("timings");
        o.Remove("id");
        return o.ToJsonString();
    }

    /// <summary>
    /// Checks a result against docs/result.schema.json: required
    /// and allowed properties, and the entities' fields.
    /// </summary>
    private static class ResultSchema
    {
        private static readonly JsonNode Schema =
            JsonNode.Parse(File.ReadAllText(Path.Combine(SharedData.RepoRoot, "docs", "result.schema.json")))!;

        public static void AssertConforms(JsonObject result, string name)
        {
            var allowed = Schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet();
            Assert.All(Schema["required"]!.AsArray(),
                r => Assert.True(result.ContainsKey((string)r!), $"{name}: missing {(string)r!}"));
            Assert.All(result, p => Assert.True(allowed.Contains(p.Key), $"{name}: {p.Key} is not in the schema"));
            JsonNode entity = Schema["properties"]!["entities"]!["items"]!;
            var entityFields = entity["properties"]!.AsObject().Select(p => p.Key).Order().ToList();
            foreach (JsonNode? e in result["entities"]!.AsArray())
            {
                Assert.Equal(entityFields, e!.AsObject().Select(p => p.Key).Order());
                string text = (string)result["text"]!;
                Assert.Equal((string)e["text"]!, text[(int)e["start"]!..(int)e["end"]!]);
                Assert.InRange((double)e["probability"]!, 0, 1);
            }
        }
    }

    /// <summary>Counts the calls that reach the model.</summary>
    private sealed class CountingEngine(IPadellmEngine inner) : IPadellmEngine
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string ModelName => inner.ModelName;

        public Task<IReadOnlyList<CountAnswer>> CountAsync(
            string text, LabelSchema schema, CancellationToken cancel = default)
        {
            Interlocked.Increment(ref _calls);
            return inner.CountAsync(text, schema, cancel);
        }

        public Task<MentionAnswer> MentionAsync(
            string text, LabelSchema schema, MentionCall call, CancellationToken cancel = default)
        {
            Interlocked.Increment(ref _calls);
            return inner.MentionAsync(text, schema, call, cancel);
        }
    }

    /// <summary>
    /// Fails every call on a text containing a marker, as a
    /// model host that keeps crashing on one input would.
    /// </summary>
    private sealed class FailingEngine(IPadellmEngine inner, string marker) : IPadellmEngine
    {
        public string ModelName => inner.ModelName;

        public Task<IReadOnlyList<CountAnswer>> CountAsync(
            string text, LabelSchema schema, CancellationToken cancel = default) =>
            text.Contains(marker, StringComparison.Ordinal)
                ? throw new InvalidOperationException("the model host crashed")
                : inner.CountAsync(text, schema, cancel);

        public Task<MentionAnswer> MentionAsync(
            string text, LabelSchema schema, MentionCall call, CancellationToken cancel = default) =>
            inner.MentionAsync(text, schema, call, cancel);
    }
}
