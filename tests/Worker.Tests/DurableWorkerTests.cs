using System.Text;
using System.Text.Json.Nodes;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Storage.Azure;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers.HuggingFace;
using Xunit;

namespace PaDeLLM.Worker.Tests;

/// <summary>
/// The pipeline on the Durable Task engine over Azure Storage (Azurite), as it scales out:
/// workers in this process and as <c>padellm worker</c> processes sharing one task hub, one of
/// them killed with SIGKILL mid-corpus. No part of the engine is mocked.
/// </summary>
[Collection(SyntheticModelCollection.Name)]
public sealed class DurableWorkerTests(SyntheticModelFixture trained)
{
    private const string Recovery = "10";

    [AzuriteFact]
    public async Task A_worker_on_an_Azure_Storage_task_hub_completes_ExtractDocument_and_ProcessCorpus()
    {
        using var azurite = new Azurite();
        using var model = DecoderModel.Load(trained.Directory);
        var tokenizer = HfTokenizer.Load(Path.Combine(trained.Directory, "tokenizer.json"));
        using var engine = new PadellmEngineService(model, tokenizer) { ModelName = "synthetic" };
        await using var pipeline = DurablePipeline.OnAzureStorage(
            AzureStorageHub.Settings(azurite.Connection, "extracthub", recovery: TimeSpan.FromSeconds(6)),
            new PipelineTasks(engine, BlobContainers.For(azurite.Connection)));
        await pipeline.StartAsync();

        Sentence sentence = SyntheticNer.Generate(1, 21)[0];
        await pipeline.ScheduleAsync(TaskNames.ExtractDocument, "one",
            new ExtractDocumentInput("one", sentence.Text, SchemaSpec.From(SyntheticNer.Schema)));
        InstanceOutcome<ResultDocument> one = await pipeline.WaitAsync<ResultDocument>("one", TimeSpan.FromMinutes(2));
        Assert.True(one.Completed, $"{one.Status}: {one.Failure}");
        ResultDocument expected = new PadellmExtractor(model, tokenizer).Extract(sentence.Text, SyntheticNer.Schema);
        Assert.Equal(expected.Entities.Select(e => (e.Label, e.Text, e.Start)),
            one.Output!.Entities.Select(e => (e.Label, e.Text, e.Start)));

        AzureBlobContainer corpus = azurite.Connection.Container("corpus"),
            results = azurite.Connection.Container("results");
        await corpus.CreateIfNotExistsAsync();
        List<Sentence> sentences = SyntheticNer.Generate(12, 22);
        await corpus.PutAsync("c.jsonl", Encoding.UTF8.GetBytes(string.Join("\n",
            sentences.Select(s => JsonValue.Create(s.Text)!.ToJsonString()))));
        var input = new ProcessCorpusInput(new BlobRef("corpus", "c.jsonl"), "results", "c/",
            SchemaSpec.From(SyntheticNer.Schema), 4, ChunkSize: 5);
        await pipeline.ScheduleAsync(TaskNames.ProcessCorpus, "corpus-1", input);
        InstanceOutcome<CorpusManifest> run =
            await pipeline.WaitAsync<CorpusManifest>("corpus-1", TimeSpan.FromMinutes(3));
        Assert.True(run.Completed, $"{run.Status}: {run.Failure}");
        Assert.Equal((12, 12, 0), (run.Output!.Documents, run.Output.Succeeded, run.Output.Failed));
        Assert.Equal(13, (await CorpusPipelineTests.Names(results, "c/")).Count);
    }

    [AzuriteFact]
    public async Task A_worker_killed_mid_corpus_and_restarted_writes_every_result_once_equal_to_an_uninterrupted_run()
    {
        using var azurite = new Azurite();
        using var dir = new TempDir();
        List<Sentence> sentences = SyntheticNer.Generate(60, 23);
        byte[] corpusBytes = Encoding.UTF8.GetBytes(string.Join("\n",
            sentences.Select(s => JsonValue.Create(s.Text)!.ToJsonString())));
        (AzureBlobContainer corpus, AzureBlobContainer results) = await Containers(azurite.Connection, corpusBytes);

        using var client = Client(azurite, "killhub");
        IReadOnlyDictionary<string, string> atKill;
        using (var first = Worker(azurite, "killhub"))
        {
            await WaitForResults(results, 10, client);
            first.Kill();
            atKill = await ETags(results);
        }

        Assert.InRange(atKill.Count, 10, 59);
        using var second = Worker(azurite, "killhub");
        await client.WaitAsync(TimeSpan.FromMinutes(4));
        Assert.True(client.ExitCode == 0, client.Error);

        // Every document has its one result; those written before the kill were never written again.
        IReadOnlyDictionary<string, string> after = await ETags(results);
        Assert.Equal(Enumerable.Range(1, 60).Select(i => $"c/{i}.json").Order(StringComparer.Ordinal),
            after.Keys.Where(k => !k.EndsWith("manifest.json", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal));
        Assert.All(atKill, kv => Assert.Equal(kv.Value, after[kv.Key]));

        // And the results are those of a run nobody killed.
        using var model = DecoderModel.Load(trained.Directory);
        using var engine = new PadellmEngineService(
            model, HfTokenizer.Load(Path.Combine(trained.Directory, "tokenizer.json")))
        {
            ModelName = new DirectoryInfo(trained.Directory).Name,
        };
        var localIn = new LocalDirectoryContainer(Path.Combine(dir.Path, "in"));
        var localOut = new LocalDirectoryContainer(Path.Combine(dir.Path, "out"));
        await localIn.CreateIfNotExistsAsync();
        await localIn.PutAsync("c.jsonl", corpusBytes);
        await CorpusPipelineTests.RunCorpus(engine, localIn, localOut, "reference");
        for (int i = 1; i <= 60; i++)
        {
            Assert.Equal(Entities(await localOut.GetAsync($"c/{i}.json")),
                Entities(await results.GetAsync($"c/{i}.json")));
        }
    }

    [AzuriteFact]
    public async Task Two_worker_processes_on_one_task_hub_share_a_corpus()
    {
        using var azurite = new Azurite();
        byte[] corpusBytes = Encoding.UTF8.GetBytes(string.Join("\n",
            SyntheticNer.Generate(40, 24).Select(s => JsonValue.Create(s.Text)!.ToJsonString())));
        (_, AzureBlobContainer results) = await Containers(azurite.Connection, corpusBytes);
        using var a = Worker(azurite, "twohub");
        using var b = Worker(azurite, "twohub");
        using var client = Client(azurite, "twohub");
        await client.WaitAsync(TimeSpan.FromMinutes(4));
        Assert.True(client.ExitCode == 0, client.Error);
        Assert.Equal(41, (await CorpusPipelineTests.Names(results, "c/")).Count);

        await a.StopAsync(TimeSpan.FromMinutes(1));
        await b.StopAsync(TimeSpan.FromMinutes(1));
        int ActivitiesOf(PadellmProcess p) =>
            int.Parse(
                System.Text.RegularExpressions.Regex.Match(p.Error, @"stopped after (\d+) activities").Groups[1].Value,
                System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ActivitiesOf(a) > 0 && ActivitiesOf(b) > 0, $"a: {a.Error}\nb: {b.Error}");
    }

    [Fact]
    public async Task An_embedded_corpus_run_killed_midway_and_run_again_redoes_no_finished_document()
    {
        // Enough documents that the kill lands midway: 60 could all finish between a poll and the kill on a quiet
        // machine (a clean-clone CI run saw 61 files at the kill, the manifest included).
        const int documents = 400;
        using var dir = new TempDir();
        List<Sentence> sentences = SyntheticNer.Generate(documents, 25);
        string corpus = dir.File("k.jsonl",
            string.Join("\n", sentences.Select(s => JsonValue.Create(s.Text)!.ToJsonString())));
        string output = Path.Combine(dir.Path, "out");
        var results = new LocalDirectoryContainer(output);
        string[] args = ["corpus", "--in", corpus, "--out", output, "--model", trained.Directory, "--concurrency", "4"];

        Dictionary<string, (DateTime, string)> atKill;
        using (var first = new PadellmProcess(args))
        {
            await WaitForResults(results, 10, first, "k/");
            first.Kill();
            atKill = Directory.GetFiles(Path.Combine(output, "k"), "*.json")
                .ToDictionary(f => f, f => (File.GetLastWriteTimeUtc(f), File.ReadAllText(f)));
        }

        Assert.InRange(atKill.Count, 10, documents - 1);
        using var second = new PadellmProcess(args);
        await second.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains($"{documents} documents, {documents - atKill.Count} extracted, {atKill.Count} reused, 0 failed",
            second.Error, StringComparison.Ordinal);
        Assert.All(atKill, kv => Assert.Equal(kv.Value, (File.GetLastWriteTimeUtc(kv.Key), File.ReadAllText(kv.Key))));
        for (int i = 1; i <= documents; i++)
        {
            Assert.Equal(sentences[i - 1].Text, CorpusPipelineTests.Read(await results.GetAsync($"k/{i}.json")).Text);
        }
    }

    private PadellmProcess Worker(Azurite azurite, string hub) =>
        new("worker", "--durable", azurite.ConnectionString, "--task-hub", hub, "--model", trained.Directory,
            "--recovery-seconds", Recovery);

    private PadellmProcess Client(Azurite azurite, string hub) =>
        new("corpus", "--in", "azure:corpus/c.jsonl", "--out", "azure:results",
            "--durable", azurite.ConnectionString, "--task-hub", hub,
            "--no-worker", "--model", trained.Directory, "--recovery-seconds", Recovery);

    private static async Task<(AzureBlobContainer Corpus, AzureBlobContainer Results)> Containers(
        StorageConnection storage, byte[] corpusBytes)
    {
        AzureBlobContainer corpus = storage.Container("corpus"), results = storage.Container("results");
        await corpus.CreateIfNotExistsAsync();
        await results.CreateIfNotExistsAsync();
        await corpus.PutAsync("c.jsonl", corpusBytes);
        return (corpus, results);
    }

    private static async Task WaitForResults(
        IBlobContainer results, int count, PadellmProcess watched, string prefix = "c/")
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while ((Directory.Exists(results.Location) || results is not LocalDirectoryContainer
            ? (await CorpusPipelineTests.Names(results, prefix)).Count
            : 0) < count)
        {
            Assert.False(watched.HasExited, $"exited early: {watched.Error}");
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} results in 3 minutes: {watched.Error}");
            await Task.Delay(50);
        }
    }

    private static async Task<IReadOnlyDictionary<string, string>> ETags(IBlobContainer results)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (BlobItem b in results.ListAsync("c/"))
        {
            tags[b.Name] = b.ETag;
        }

        return tags;
    }

    private static string Entities(byte[]? json) => JsonNode.Parse(json!)!["entities"]!.ToJsonString();
}
