using System.Diagnostics;
using System.Globalization;
using System.Text;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Worker;

namespace PaDeLLM.Bench;

/// <summary>
/// What the embedded Durable Task engine costs without the model: ProcessCorpus over a corpus of
/// CoNLL-2003 dev's size and shape (four labels, two mentions) with an engine
/// that answers at once, at the work-item concurrency the CLI uses and at the in-memory service's
/// own (the processor count). Every orchestration, activity and result blob is real.
/// </summary>
internal static class OrchestrationOverheadBenchmark
{
    private static readonly LabelSchema Schema = new("overhead", PromptLanguage.English,
        [new EntityLabel("PER", "PER"), new EntityLabel("LOC", "LOC"), new EntityLabel("ORG", "ORG"),
            new EntityLabel("MISC", "MISC")]);

    public static async Task<int> Run(string[] args, string? outDir)
    {
        int documents = BenchArgs.Get(args, "--documents") is string n
            ? int.Parse(n, CultureInfo.InvariantCulture)
            : 3250;
        var report = new Report();
        report.Line($"# Orchestration overhead: ProcessCorpus over {documents:N0} documents, no model");
        report.Line();
        report.Line("DurableTask.Core over the in-memory task hub in this process "
            + $"({Environment.ProcessorCount} cores); an engine that answers "
            + "at once (per document: a read of its result blob, 4 count activities, 2 mention activities, "
            + "a result blob written create-only).");
        report.Line();
        var rows = new List<string[]>();
        foreach (int concurrency in new[] { 64, Environment.ProcessorCount })
        {
            double seconds = await Once(documents, concurrency);
            rows.Add([concurrency.ToString(CultureInfo.InvariantCulture),
                seconds.ToString("F1", CultureInfo.InvariantCulture),
                (documents / seconds).ToString("F0", CultureInfo.InvariantCulture)]);
        }

        report.Table(["work-item concurrency", "seconds", "documents/s"], rows);
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, "pipeline-overhead.md"), report.ToString());
        }

        return 0;
    }

    private static async Task<double> Once(int documents, int concurrency)
    {
        string dir = Directory.CreateTempSubdirectory("padellm-overhead-").FullName;
        try
        {
            var corpus = new LocalDirectoryContainer(Path.Combine(dir, "in"));
            var results = new LocalDirectoryContainer(Path.Combine(dir, "out"));
            await corpus.CreateIfNotExistsAsync();
            await corpus.PutAsync("c.jsonl", Encoding.UTF8.GetBytes(string.Join("\n",
                Enumerable.Range(0, documents).Select(i => $"\"Doc {i} about P{i % 7} and L{i % 5} .\""))));
            await using var pipeline = DurablePipeline.InMemory(
                new PipelineTasks(new InstantEngine(), BlobContainers.For(null)), concurrency);
            await pipeline.StartAsync();
            var clock = Stopwatch.StartNew();
            await pipeline.ScheduleAsync(TaskNames.ProcessCorpus, "overhead", new ProcessCorpusInput(
                new BlobRef(BlobContainers.NameOf(corpus), "c.jsonl"), BlobContainers.NameOf(results), "c/",
                SchemaSpec.From(Schema)));
            InstanceOutcome<CorpusManifest> outcome =
                await pipeline.WaitAsync<CorpusManifest>("overhead", TimeSpan.FromMinutes(30));
            double seconds = clock.Elapsed.TotalSeconds;
            return outcome.Output?.Succeeded == documents
                ? seconds
                : throw new InvalidOperationException($"{outcome.Status}: {outcome.Failure}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Counts 0-2 per label from the text's words, mentions
    /// at once: the shape of real answers, no model.
    /// </summary>
    private sealed class InstantEngine : IPadellmEngine
    {
        public string ModelName => "instant";

        public Task<IReadOnlyList<CountAnswer>> CountAsync(
            string text, LabelSchema schema, CancellationToken cancel = default) =>
            Task.FromResult<IReadOnlyList<CountAnswer>>([.. schema.Labels.Select(l =>
                new CountAnswer(
                    l.Key, text.Split(' ').Count(w => w.Length > 1 && w[0] == l.Key[0]), null, 2, ModelName))]);

        public Task<MentionAnswer> MentionAsync(
            string text, LabelSchema schema, MentionCall call, CancellationToken cancel = default) =>
            Task.FromResult(new MentionAnswer(call.Label, call.K,
                text.Split(' ').Where(w => w.Length > 1 && w[0] == call.Label[0]).ElementAt(call.K - 1),
                -0.1, null, 2));
    }
}
