using System.Text;
using System.Text.Json;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Tests;
using PaDeLLM.Worker;
using Xunit;

namespace PaDeLLM.Orchestrations.Tests;

/// <summary>
/// The orchestrators on the Durable Task engine itself (DurableTask.Core with the SDK's shims,
/// in memory), with an engine whose answers are known in advance, so every count, mention,
/// de-duplication and corpus total can be checked against an independent expectation.
/// </summary>
public sealed class PipelineTests : IDisposable
{
    private static readonly LabelSchema Schema =
        new("test", PromptLanguage.English, [new EntityLabel("PER", "person"), new EntityLabel("LOC", "location")]);
    private readonly TempDir _dir = new();
    private readonly ScriptedEngine _engine = new();

    [Fact]
    public async Task
    ExtractDocument_counts_every_label_then_decodes_every_label_and_k_and_keeps_a_shared_string_under_its_likelier_label
    ()
    {
        await using DurablePipeline pipeline = await Start();
        const string text = "Pia met Lou and Pete in Lyon near Both";
        ResultDocument d = await Extract(pipeline, "d1", text);

        // One count activity per label, then one mention activity per (label, k).
        var calls = _engine.Calls.ToList();
        Assert.Equal(["count LOC", "count PER"],
            calls.Where(c => c.StartsWith("count", StringComparison.Ordinal)).Order());
        Assert.Equal(
            [
                "mention LOC 1/3", "mention LOC 2/3", "mention LOC 3/3",
                "mention PER 1/3", "mention PER 2/3", "mention PER 3/3",
            ],
            calls.Where(c => c.StartsWith("mention", StringComparison.Ordinal)).Order());

        // "Both" was predicted under both labels and stays under LOC, where it is more probable.
        Assert.Equal([("LOC", "Both"), ("LOC", "Lou"), ("LOC", "Lyon"), ("PER", "Pete"), ("PER", "Pia")],
            d.Entities.Select(e => (e.Label, e.Text)).Order());
        Assert.All(d.Entities, e => Assert.Equal(e.Text, text[e.Start..e.End]));
        Assert.Equal(2 + 6, d.Sequences);
        Assert.Equal("scripted", d.Model);

        // The orchestration computes exactly what the algorithm computes on the engine directly.
        ResultDocument direct =
            await PadellmAlgorithm.RunAsync("d1", text, Schema, new EngineSteps(_engine), () => DateTime.UtcNow);
        Assert.Equal(Json(direct with { Timings = null, Model = null }), Json(d with { Timings = null, Model = null }));
    }

    [Fact]
    public async Task A_repeated_mention_is_decoded_again_through_an_activity_that_carries_what_it_may_not_repeat()
    {
        await using DurablePipeline pipeline = await Start();
        const string text = "ECHO Pia Pete Paul";
        ResultDocument d = await Extract(pipeline, "e1", text);

        // PER's second slot repeated "Pia" (less probably than the first): decoded again after Pia (at 5), before
        // the third slot's Paul (at 14), barred from both, it finds Pete.
        Assert.Equal(["mention PER 2/3 again avoid=Pia,Paul from=6 before=14"],
            _engine.Calls.Where(c => c.Contains("again", StringComparison.Ordinal)));
        Assert.Equal(["Paul", "Pete", "Pia"], d.Entities.Select(e => e.Text).Order());
        Assert.Equal(2 + 3 + 1, d.Sequences);

        ResultDocument direct =
            await PadellmAlgorithm.RunAsync("e1", text, Schema, new EngineSteps(_engine), () => DateTime.UtcNow);
        Assert.Equal(Json(direct with { Timings = null, Model = null }), Json(d with { Timings = null, Model = null }));
    }

    [Fact]
    public async Task
        Unreadable_counts_are_failures_in_the_result_and_a_failing_engine_fails_the_document_after_its_retries()
    {
        await using DurablePipeline pipeline = await Start();
        ResultDocument garbled = await Extract(pipeline, "g", "GARBLED Pia");
        Assert.Empty(garbled.Entities);
        Assert.Equal([("LOC", 0), ("PER", 0)], garbled.Failures.Select(f => (f.Label, f.K)).Order());

        await pipeline.ScheduleAsync(TaskNames.ExtractDocument, "b",
            new ExtractDocumentInput("b", "BROKEN Pia", SchemaSpec.From(Schema)));
        InstanceOutcome<ResultDocument> broken = await pipeline.WaitAsync<ResultDocument>("b", TimeSpan.FromMinutes(1));
        Assert.Equal("Failed", broken.Status);
        Assert.Contains("the model host crashed", broken.Failure, StringComparison.Ordinal);
        Assert.Equal(3 * 2,
            _engine.Calls.Count(c => c.StartsWith("count", StringComparison.Ordinal)) - 2); // 3 attempts per label
    }

    [Fact]
    public async Task A_corpus_in_chunks_gives_each_document_its_result_a_manifest_and_a_rerun_does_no_model_work()
    {
        var corpus = new LocalDirectoryContainer(Path.Combine(_dir.Path, "in"));
        var results = new LocalDirectoryContainer(Path.Combine(_dir.Path, "out"));
        await corpus.CreateIfNotExistsAsync();
        string[] texts = Enumerable.Range(0, 23)
            .Select(i => $"Pia{i} went to Lima{i % 4} ." + (i == 7 ? " BROKEN" : "")).ToArray();
        string lines = string.Join("\n",
                texts.Select((t, i) => JsonSerializer.Serialize(new { id = $"doc {i}", text = t })))
            + "\n{\"text\": 42}\n";
        await corpus.PutAsync("c.jsonl", Encoding.UTF8.GetBytes(lines));

        await using DurablePipeline pipeline = await Start();
        var input = new ProcessCorpusInput(new BlobRef(BlobContainers.NameOf(corpus), "c.jsonl"),
            BlobContainers.NameOf(results), "c/", SchemaSpec.From(Schema), Concurrency: 3, ChunkSize: 5);
        CorpusManifest m = await Run(pipeline, "run-1", input);

        Assert.Equal((23, 22, 2, 0), (m.Documents, m.Succeeded, m.Failed, m.Reused));
        Assert.Equal(["c.jsonl:24: field 'text' is missing or not a string"],
            m.Failures.Where(f => f.Id is null).Select(f => f.Error));
        Assert.Contains("the model host crashed",
            Assert.Single(m.Failures, f => f.Id == "doc 7").Error, StringComparison.Ordinal);
        Assert.Equal(22 * 2, m.Entities);
        for (int i = 0; i < texts.Length; i++)
        {
            byte[]? blob = await results.GetAsync(ResultNames.For("c/", $"doc {i}"));
            if (i == 7)
            {
                Assert.Null(blob);
                continue;
            }

            ResultDocument d = JsonSerializer.Deserialize(blob!, PipelineJson.Default.ResultDocument)!;
            Assert.Equal((texts[i], $"doc {i}"), (d.Text, d.Id));
            Assert.Equal([("LOC", $"Lima{i % 4}"), ("PER", $"Pia{i}")],
                d.Entities.Select(e => (e.Label, e.Text)).Order());
        }

        CorpusManifest written = JsonSerializer.Deserialize(
            (await results.GetAsync("c/manifest.json"))!, PipelineJson.Default.CorpusManifest)!;
        Assert.Equal(Json(m), Json(written));

        // The same corpus again: every finished document is found, only the broken one is tried again.
        int callsBefore = _engine.Calls.Count(c => !c.Contains("BROKEN", StringComparison.Ordinal));
        CorpusManifest again = await Run(pipeline, "run-2", input);
        Assert.Equal((23, 22, 22, 0), (again.Documents, again.Succeeded, again.Reused, again.Entities));
        Assert.Equal(callsBefore + 3 * 2, _engine.Calls.Count);
    }

    [Fact]
    public async Task An_id_used_twice_across_chunks_and_a_corrupted_result_are_failures_and_nothing_is_overwritten()
    {
        var corpus = new LocalDirectoryContainer(Path.Combine(_dir.Path, "in"));
        var results = new LocalDirectoryContainer(Path.Combine(_dir.Path, "out"));
        await corpus.CreateIfNotExistsAsync();
        await results.CreateIfNotExistsAsync();
        string[] lines =
        [
            "{\"id\": \"x\", \"text\": \"Pia in Lima\"}", "\"Lou met Pete\"", "\"Pam saw Lyon\"",
            "{\"id\": \"x\", \"text\": \"Lou in Paris\"}",
        ];
        await corpus.PutAsync("d.jsonl", Encoding.UTF8.GetBytes(string.Join("\n", lines)));
        await results.PutAsync("d/3.json", "{ not a result"u8.ToArray());

        await using DurablePipeline pipeline = await Start();
        var input = new ProcessCorpusInput(new BlobRef(BlobContainers.NameOf(corpus), "d.jsonl"),
            BlobContainers.NameOf(results), "d/", SchemaSpec.From(Schema), Concurrency: 2, ChunkSize: 2);
        CorpusManifest m = await Run(pipeline, "dup", input);
        Assert.Equal((4, 2, 2), (m.Documents, m.Succeeded, m.Failed));
        Assert.Contains("another text", Assert.Single(m.Failures, f => f.Id == "x").Error, StringComparison.Ordinal);
        Assert.Contains("not a result document",
            Assert.Single(m.Failures, f => f.Id == "3").Error, StringComparison.Ordinal);
        Assert.Equal("Pia in Lima", JsonSerializer.Deserialize(
            (await results.GetAsync("d/x.json"))!, PipelineJson.Default.ResultDocument)!.Text);
        Assert.Equal("{ not a result", Encoding.UTF8.GetString((await results.GetAsync("d/3.json"))!));
    }

    [Fact]
    public async Task An_id_whose_result_holds_another_text_is_refused_not_answered_with_the_other_result()
    {
        var results = new LocalDirectoryContainer(Path.Combine(_dir.Path, "out"));
        await using DurablePipeline pipeline = await Start();
        var output = new BlobRef(BlobContainers.NameOf(results), "api/x.json");
        await pipeline.ScheduleAsync(TaskNames.ExtractDocument, "first",
            new ExtractDocumentInput("x", "Pia in Lima", SchemaSpec.From(Schema), output));
        Assert.True((await pipeline.WaitAsync<ResultDocument>("first", TimeSpan.FromMinutes(1))).Completed);

        await pipeline.ScheduleAsync(TaskNames.ExtractDocument, "second",
            new ExtractDocumentInput("x", "Lou in Paris", SchemaSpec.From(Schema), output));
        InstanceOutcome<ResultDocument> second =
            await pipeline.WaitAsync<ResultDocument>("second", TimeSpan.FromMinutes(1));
        Assert.Equal("Failed", second.Status);
        Assert.Contains("for a different text", second.Failure, StringComparison.Ordinal);
        Assert.Equal("Pia in Lima", JsonSerializer.Deserialize(
            (await results.GetAsync("api/x.json"))!, PipelineJson.Default.ResultDocument)!.Text);
    }

    public void Dispose() => _dir.Dispose();

    private async Task<DurablePipeline> Start()
    {
        var pipeline = DurablePipeline.InMemory(new PipelineTasks(_engine, BlobContainers.For(null)), concurrency: 16);
        await pipeline.StartAsync();
        return pipeline;
    }

    private static async Task<ResultDocument> Extract(DurablePipeline pipeline, string id, string text)
    {
        await pipeline.ScheduleAsync(
            TaskNames.ExtractDocument, id, new ExtractDocumentInput(id, text, SchemaSpec.From(Schema)));
        InstanceOutcome<ResultDocument> outcome = await pipeline.WaitAsync<ResultDocument>(id, TimeSpan.FromMinutes(1));
        Assert.True(outcome.Completed, $"{outcome.Status}: {outcome.Failure}");
        return outcome.Output!;
    }

    private static async Task<CorpusManifest> Run(
        DurablePipeline pipeline, string instance, ProcessCorpusInput input)
    {
        await pipeline.ScheduleAsync(TaskNames.ProcessCorpus, instance, input);
        InstanceOutcome<CorpusManifest> outcome =
            await pipeline.WaitAsync<CorpusManifest>(instance, TimeSpan.FromMinutes(2));
        Assert.True(outcome.Completed, $"{outcome.Status}: {outcome.Failure}");
        return outcome.Output!;
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, PipelineJson.Default.Options);
}
