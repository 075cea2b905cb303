using System.Text;
using System.Text.Json.Nodes;
using PaDeLLM.Activities;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Orchestrations.Extraction;
using PaDeLLM.Orchestrations.Runtime;
using PaDeLLM.Storage.Azure;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers.HuggingFace;
using Xunit;

namespace PaDeLLM.Extraction.Tests;

/// <summary>
/// The corpus path end to end on the synthetic model: ProcessCorpus over ExtractDocument with
/// the blob activities, histories persisted to a directory, results in a container.
/// </summary>
[Collection(SyntheticModelCollection.Name)]
public sealed class CorpusPipelineTests(SyntheticModelFixture trained)
{
    [Fact]
    public async Task A_corpus_gives_one_result_per_document_equal_to_the_extractor_and_a_rerun_does_no_model_work()
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
        string lines = string.Join("\n", sentences.Select((s, i) => new JsonObject { ["id"] = $"s{i}", ["text"] = s.Text }.ToJsonString()))
            + "\n{\"text\": 42}\n\n[\"from the paper's data format\", [0, 3, \"from\", \"X\"]]\n{\"id\": \"s3\", \"text\": \"a duplicate id\"}\n";
        await corpus.PutAsync("batch.jsonl", Encoding.UTF8.GetBytes(lines));

        var history = new DirectoryHistoryStore(Path.Combine(dir.Path, "history"));
        JsonNode manifest = await RunCorpus(engine, corpus, results, history, "run-1");
        Assert.Equal(25, (int)manifest["documents"]!);
        Assert.Equal(25, (int)manifest["succeeded"]!);
        var failures = manifest["failures"]!.AsArray().Select(f => (string)f!["error"]!).ToList();
        Assert.Equal(["batch.jsonl:25: field 'text' is missing or not a string", "batch.jsonl:28: id 's3' appears twice"], failures);

        var extractor = new PadellmExtractor(model, tokenizer);
        for (int i = 0; i < sentences.Count; i++)
        {
            JsonNode result = JsonNode.Parse((await results.GetAsync($"batch/s{i}.json"))!)!;
            Assert.Equal(sentences[i].Text, (string)result["text"]!);
            Assert.Equal("synthetic", (string)result["model"]!);
            var expected = extractor.Extract(sentences[i].Text, SyntheticNer.Schema).Result.Entities
                .SelectMany(e => e.Spans.Select(sp => (e.Label, e.Text, sp.Start, sp.End)));
            var actual = result["entities"]!.AsArray().Select(e => ((string)e!["label"]!, (string)e["text"]!, (int)e["start"]!, (int)e["end"]!));
            Assert.Equal(expected.Order(), actual.Order());
        }

        Assert.NotNull(await results.GetAsync("batch/27.json")); // the paper-format line, id = its line number
        await foreach (BlobItem blob in results.ListAsync("batch/"))
        {
            if (!blob.Name.EndsWith("manifest.json", StringComparison.Ordinal))
            {
                ResultSchema.AssertConforms(JsonNode.Parse((await results.GetAsync(blob.Name))!)!.AsObject(), blob.Name);
            }
        }

        Assert.NotNull(await results.GetAsync("batch/manifest.json"));
        int firstRunCalls = engine.Calls;
        Assert.True(firstRunCalls >= 25 * 2, $"{firstRunCalls} engine calls");

        // The same instance again: its history is complete, nothing runs.
        await RunCorpus(engine, corpus, results, history, "run-1");
        Assert.Equal(firstRunCalls, engine.Calls);

        // A new instance over the same results (e.g. the histories were deleted): every document is reused, still no model work.
        JsonNode again = await RunCorpus(engine, corpus, results, new DirectoryHistoryStore(Path.Combine(dir.Path, "history-2")), "run-2");
        Assert.Equal(25, (int)again["reused"]!);
        Assert.Equal(firstRunCalls, engine.Calls);
    }

    [Fact]
    public async Task A_run_killed_midway_resumes_and_finishes_every_document_exactly_once()
    {
        using var dir = new TempDir();
        using var model = DecoderModel.Load(trained.Directory);
        var tokenizer = HfTokenizer.Load(Path.Combine(trained.Directory, "tokenizer.json"));
        using var service = new PadellmEngineService(model, tokenizer);
        var engine = new CountingEngine(service);
        List<Sentence> sentences = SyntheticNer.Generate(30, 9);
        var corpus = new LocalDirectoryContainer(Path.Combine(dir.Path, "in"));
        var results = new WriteCountingContainer(new LocalDirectoryContainer(Path.Combine(dir.Path, "out")));
        await corpus.CreateIfNotExistsAsync();
        await corpus.PutAsync("c.jsonl", Encoding.UTF8.GetBytes(string.Join("\n", sentences.Select(s => JsonValue.Create(s.Text)!.ToJsonString()))));
        string historyDir = Path.Combine(dir.Path, "history");

        // "Kill" after 12 documents have finished: the run is abandoned where it stands.
        using var kill = new CancellationTokenSource();
        int finished = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunCorpus(engine, corpus, results, new DirectoryHistoryStore(historyDir), "corpus-x", onDocument: () =>
        {
            if (Interlocked.Increment(ref finished) == 12)
            {
                kill.Cancel();
            }
        }, kill.Token));
        int callsBeforeKill = engine.Calls;
        int writtenBeforeKill = results.Writes.Count;
        Assert.InRange(writtenBeforeKill, 12, 29);

        // A torn last line, as a kill during an append leaves it.
        string corpusHistory = new DirectoryHistoryStore(historyDir).PathOf("corpus-x");
        File.AppendAllText(corpusHistory, "{\"type\":\"TaskCompl");

        JsonNode manifest = await RunCorpus(engine, corpus, results, new DirectoryHistoryStore(historyDir), "corpus-x");
        Assert.Equal(30, (int)manifest["succeeded"]!);
        Assert.Empty(manifest["failures"]!.AsArray());
        var names = await results.Inner.ListAsync("c/").Select(b => b.Name).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 30).Select(i => $"c/{i}.json").Append("c/manifest.json").Order(StringComparer.Ordinal), names);

        // Every document's result was written once, and finished documents cost no model work on restart.
        var perDocument = results.Writes.Where(w => w != "c/manifest.json").GroupBy(w => w).ToList();
        Assert.Equal(30, perDocument.Count);
        Assert.All(perDocument, g => Assert.Single(g));
        int callsPerDocument = callsBeforeKill / writtenBeforeKill;
        Assert.True(engine.Calls - callsBeforeKill <= (30 - writtenBeforeKill + 8) * (callsPerDocument + 3), $"restart made {engine.Calls - callsBeforeKill} calls for {30 - writtenBeforeKill} unfinished documents");
    }

    [AzuriteFact]
    public async Task The_same_corpus_through_Azurite_containers_gives_the_same_results_as_local_directories()
    {
        using var azurite = new Azurite();
        using var http = new HttpClient();
        using var dir = new TempDir();
        using var model = DecoderModel.Load(trained.Directory);
        var tokenizer = HfTokenizer.Load(Path.Combine(trained.Directory, "tokenizer.json"));
        using var engine = new PadellmEngineService(model, tokenizer);
        byte[] lines = Encoding.UTF8.GetBytes(string.Join("\n", SyntheticNer.Generate(10, 11).Select(s => JsonValue.Create(s.Text)!.ToJsonString())));

        var localIn = new LocalDirectoryContainer(Path.Combine(dir.Path, "in"));
        var localOut = new LocalDirectoryContainer(Path.Combine(dir.Path, "out"));
        await localIn.CreateIfNotExistsAsync();
        await localIn.PutAsync("docs.jsonl", lines);
        await RunCorpus(engine, localIn, localOut, new InMemoryHistoryStore(), "local");

        var blobIn = new AzureBlobContainer(http, azurite.Account, "corpus");
        var blobOut = new AzureBlobContainer(http, azurite.Account, "results");
        await blobIn.CreateIfNotExistsAsync();
        await blobIn.PutAsync("docs.jsonl", lines);
        await RunCorpus(engine, blobIn, blobOut, new InMemoryHistoryStore(), "azure");

        var localNames = await localOut.ListAsync().Select(b => b.Name).ToListAsync();
        Assert.Equal(localNames, await blobOut.ListAsync().Select(b => b.Name).ToListAsync());
        Assert.Equal(11, localNames.Count);
        foreach (string name in localNames.Where(n => !n.EndsWith("manifest.json", StringComparison.Ordinal)))
        {
            Assert.Equal(WithoutTimings(await localOut.GetAsync(name)), WithoutTimings(await blobOut.GetAsync(name)));
        }
    }

    [AzuriteFact]
    public async Task Documents_through_an_Azurite_queue_give_the_corpus_results_and_bad_messages_go_to_the_poison_queue()
    {
        using var azurite = new Azurite();
        using var http = new HttpClient();
        using var dir = new TempDir();
        using var model = DecoderModel.Load(trained.Directory);
        var tokenizer = HfTokenizer.Load(Path.Combine(trained.Directory, "tokenizer.json"));
        using var service = new PadellmEngineService(model, tokenizer);
        var engine = new FailingEngine(service, "FAIL");
        List<Sentence> sentences = SyntheticNer.Generate(8, 13);

        var localIn = new LocalDirectoryContainer(Path.Combine(dir.Path, "in"));
        var localOut = new LocalDirectoryContainer(Path.Combine(dir.Path, "out"));
        await localIn.CreateIfNotExistsAsync();
        await localIn.PutAsync("docs.jsonl", Encoding.UTF8.GetBytes(string.Join("\n", sentences.Select((s, i) => new JsonObject { ["id"] = $"q{i}", ["text"] = s.Text }.ToJsonString()))));
        await RunCorpus(engine, localIn, localOut, new InMemoryHistoryStore(), "local");

        var queue = new AzureQueue(http, azurite.Account, "ingest");
        var poison = new AzureQueue(http, azurite.Account, "ingest-poison");
        await queue.CreateAsync();
        await poison.CreateAsync();
        foreach ((Sentence s, int i) in sentences.Select((s, i) => (s, i)))
        {
            await queue.SendAsync(new JsonObject { ["id"] = $"q{i}", ["text"] = s.Text }.ToJsonString());
        }

        await queue.SendAsync("not json at all");
        await queue.SendAsync("{\"id\": \"always-fails\", \"text\": \"FAIL every time\"}");
        var results = new AzureBlobContainer(http, azurite.Account, "results");
        await results.CreateIfNotExistsAsync();
        var backend = new InProcessOrchestrationBackend().AddPadellm(engine, BlobContainers.Of(new Dictionary<string, IBlobContainer> { ["results"] = results }));
        var ingestor = new Activities.Ingestion.QueueIngestor(queue, poison, backend, SchemaJson.Write(SyntheticNer.Schema)) { VisibilityTimeout = TimeSpan.FromSeconds(1) };

        // Pump until the failing message has been handed out more than five times and poisoned.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (ingestor.Poisoned < 2 && DateTime.UtcNow < deadline)
        {
            if (await ingestor.PumpOnceAsync() == 0)
            {
                await Task.Delay(300);
            }
        }

        Assert.Equal(8, ingestor.Processed);
        Assert.Equal(2, ingestor.Poisoned);
        var poisoned = (await poison.ReceiveAsync(32, TimeSpan.FromSeconds(30))).Select(m => JsonNode.Parse(m.Text)!).ToDictionary(p => (string)p["text"]!);
        Assert.Equal(6, (int)poisoned["{\"id\": \"always-fails\", \"text\": \"FAIL every time\"}"]["dequeue_count"]!);
        Assert.Contains("not JSON", (string)poisoned["not json at all"]["reason"]!, StringComparison.Ordinal);
        Assert.Empty(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(1)));

        for (int i = 0; i < sentences.Count; i++)
        {
            Assert.Equal(WithoutTimings(await localOut.GetAsync($"docs/q{i}.json")), WithoutTimings(await results.GetAsync($"ingest/q{i}.json")));
        }
    }

    internal static async Task<JsonNode> RunCorpus(IPadellmEngine engine, IBlobContainer corpus, IBlobContainer results, IHistoryStore history, string instance, Action? onDocument = null, CancellationToken cancel = default)
    {
        var backend = new InProcessOrchestrationBackend { History = history }
            .AddPadellm(engine, BlobContainers.Of(new Dictionary<string, IBlobContainer> { ["corpus"] = corpus, ["results"] = results }));
        backend.InstanceCompleted += (name, _) =>
        {
            if (name == ExtractDocumentOrchestrator.Name)
            {
                onDocument?.Invoke();
            }
        };
        string blob = await corpus.ListAsync(cancel: cancel).Select(b => b.Name).FirstAsync(cancel);
        var (result, _) = await backend.RunAsync(ProcessCorpusOrchestrator.Name, instance, new JsonObject
        {
            ["corpus"] = new JsonObject { ["container"] = "corpus", ["name"] = blob },
            ["output"] = new JsonObject { ["container"] = "results", ["prefix"] = Path.GetFileNameWithoutExtension(blob) + "/" },
            ["schema"] = SchemaJson.Write(SyntheticNer.Schema),
            ["concurrency"] = 4,
        }, cancel);
        Assert.True(result.Failure is null, result.Failure);
        return result.Output!;
    }

    private static string WithoutTimings(byte[]? json)
    {
        JsonObject o = JsonNode.Parse(json!)!.AsObject();
        o.Remove("timings");
        o.Remove("id");
        return o.ToJsonString();
    }

    /// <summary>Checks a result against docs/result.schema.json: required and allowed properties, and the entities' fields.</summary>
    private static class ResultSchema
    {
        private static readonly JsonNode Schema = JsonNode.Parse(File.ReadAllText(Path.Combine(SharedData.RepoRoot, "docs", "result.schema.json")))!;

        public static void AssertConforms(JsonObject result, string name)
        {
            var allowed = Schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet();
            Assert.All(Schema["required"]!.AsArray(), r => Assert.True(result.ContainsKey((string)r!), $"{name}: missing {(string)r!}"));
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

        public Task<IReadOnlyList<CountAnswer>> CountAsync(string text, LabelSchema schema, CancellationToken cancel = default)
        {
            Interlocked.Increment(ref _calls);
            return inner.CountAsync(text, schema, cancel);
        }

        public Task<MentionAnswer> MentionAsync(string text, LabelSchema schema, string label, int count, int k, CancellationToken cancel = default)
        {
            Interlocked.Increment(ref _calls);
            return inner.MentionAsync(text, schema, label, count, k, cancel);
        }
    }

    /// <summary>Fails every call on a text containing a marker, as a model host that keeps crashing on one input would.</summary>
    private sealed class FailingEngine(IPadellmEngine inner, string marker) : IPadellmEngine
    {
        public string ModelName => inner.ModelName;

        public Task<IReadOnlyList<CountAnswer>> CountAsync(string text, LabelSchema schema, CancellationToken cancel = default) =>
            text.Contains(marker, StringComparison.Ordinal) ? throw new InvalidOperationException("the model host crashed") : inner.CountAsync(text, schema, cancel);

        public Task<MentionAnswer> MentionAsync(string text, LabelSchema schema, string label, int count, int k, CancellationToken cancel = default) =>
            inner.MentionAsync(text, schema, label, count, k, cancel);
    }

    /// <summary>Records every blob written.</summary>
    private sealed class WriteCountingContainer(IBlobContainer inner) : IBlobContainer
    {
        public IBlobContainer Inner => inner;

        public System.Collections.Concurrent.ConcurrentQueue<string> Writes { get; } = new();

        public string Location => inner.Location;

        public Task CreateIfNotExistsAsync(CancellationToken cancel = default) => inner.CreateIfNotExistsAsync(cancel);

        public async Task<bool> PutAsync(string name, ReadOnlyMemory<byte> content, string contentType = "application/octet-stream", bool overwrite = true, CancellationToken cancel = default)
        {
            bool written = await inner.PutAsync(name, content, contentType, overwrite, cancel);
            if (written)
            {
                Writes.Enqueue(name);
            }

            return written;
        }

        public Task<byte[]?> GetAsync(string name, CancellationToken cancel = default) => inner.GetAsync(name, cancel);

        public IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", CancellationToken cancel = default) => inner.ListAsync(prefix, cancel);

        public Task<bool> DeleteAsync(string name, CancellationToken cancel = default) => inner.DeleteAsync(name, cancel);
    }
}
