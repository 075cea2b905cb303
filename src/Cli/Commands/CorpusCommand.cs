using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Extraction;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Storage.Azure;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Worker;
using Spectre.Console;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// <c>padellm corpus --in FILE|DIR|azure:C[/NAME] --out DIR|azure:C[/PREFIX]</c>: the blob-triggered
/// corpus path. Every corpus blob (JSON lines) becomes one ProcessCorpus orchestration, on the
/// Durable Task engine in this process, or with --durable on a shared task hub. A document whose
/// result exists is never redone, so a second run does no model work and a killed run resumes.
/// With --watch, new blobs are processed as they arrive.
/// </summary>
internal static class CorpusCommand
{
    public static Command Create(CliContext ctx)
    {
        var choice = new ModelChoice();
        var durable = new DurableChoice();
        var input = new Option<string>("--in")
        {
            Description = "a .jsonl file, a directory of them, or azure:CONTAINER[/NAME]",
            Required = true,
        };
        var output = new Option<string>("--out")
        {
            Description = "results directory or azure:CONTAINER[/PREFIX]",
            Required = true,
        };
        var concurrency = new Option<int>("--concurrency")
        {
            Description = "documents in flight per corpus",
            DefaultValueFactory = _ => 8,
        };
        var connection = new Option<string?>("--connection")
        {
            Description = "storage account for azure: locations "
                + "(default: --durable's, $PADELLM_STORAGE, $AzureWebJobsStorage)",
        };
        var noWorker = new Option<bool>("--no-worker")
        {
            Description = "with --durable: only schedule and wait; `padellm worker` processes do the work",
        };
        var watch = new Option<bool>("--watch")
        {
            Description = "keep watching the input for new corpus blobs (Ctrl-C stops)",
        };
        var poll = new Option<double>("--poll-seconds")
        {
            Description = "how often --watch lists the input",
            DefaultValueFactory = _ => 2.0,
        };
        var command = new Command("corpus",
            "Extract entities from every document of a corpus (JSON lines) into one result blob each, plus a manifest")
        {
            input, output, concurrency, connection, noWorker, watch, poll,
        };
        choice.AddTo(command);
        durable.AddTo(command);
        command.SetAction(async (r, cancel) =>
        {
            if (r.GetValue(concurrency) is < 1 or > 1024)
            {
                throw new UsageException("--concurrency must be between 1 and 1024");
            }

            string? storageSpec = r.GetValue(connection) ?? r.GetValue(durable.Durable);
            StorageLocation from = StorageLocation.Parse(r.GetValue(input)!, storageSpec, "--in");
            StorageLocation to = StorageLocation.Parse(r.GetValue(output)!, storageSpec, "--out");
            if (to.IsLocalFile)
            {
                throw new UsageException($"--out {r.GetValue(output)}: is a file; give a directory");
            }

            LabelSchema schema;
            PadellmEngineService? engine = null;
            OpenModel? model = null;
            try
            {
                PipelineTasks? tasks = null;
                if (!r.GetValue(noWorker))
                {
                    model = choice.Open(r, ctx.Error);
                    engine = new PadellmEngineService(model.Decoder, model.Tokenizer)
                    {
                        ModelName = model.Name,
                        CopyMentions = choice.CopyMentions(r),
                    };
                    tasks = new PipelineTasks(engine, BlobContainers.For(StorageConnection.From(storageSpec)));
                }

                schema = choice.Schema(r, model?.Directory ?? choice.ModelDirectory(r));
                await using var pipeline = durable.Open(r, tasks, 64);
                await pipeline.StartAsync();
                await to.Container.CreateIfNotExistsAsync(cancel);
                var runner = new CorpusRun(
                    pipeline, from.Container, to.Container, to.Path, schema, r.GetValue(concurrency));
                var done = new HashSet<string>(StringComparer.Ordinal);
                do
                {
                    // A blob is (re)processed when its name or content version is new: an edited corpus is run again.
                    List<(string Name, string Version)> names = from.IsLocalFile
                        ? [(from.Path, File.GetLastWriteTimeUtc(
                                Path.Combine(((LocalDirectoryContainer)from.Container).Directory, from.Path))
                            .Ticks.ToString(CultureInfo.InvariantCulture))]
                        : await CorpusBlobs(from, cancel);
                    foreach ((string name, string version) in names.Where(n => !done.Contains($"{n.Name}|{n.Version}")))
                    {
                        CorpusManifest manifest = await runner.RunAsync(name, ctx, cancel);
                        done.Add($"{name}|{version}");
                        ctx.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{name}: {manifest.Documents} documents, "
                            + $"{manifest.Succeeded - manifest.Reused} extracted, {manifest.Reused} reused, "
                            + $"{manifest.Failed} failed, {manifest.Entities} entities "
                            + $"-> {to.Container.Location}/{manifest.OutputPrefix}"));
                    }

                    if (!r.GetValue(watch))
                    {
                        if (names.Count == 0)
                        {
                            throw new UsageException($"--in {r.GetValue(input)}: no .jsonl or .json corpus found");
                        }

                        break;
                    }

                    await Task.Delay(TimeSpan.FromSeconds(Math.Max(0.1, r.GetValue(poll))), cancel)
                        .ContinueWith(_ => { }, CancellationToken.None);
                }
                while (!cancel.IsCancellationRequested);
            }
            finally
            {
                engine?.Dispose();
                model?.Dispose();
            }

            return 0;
        });
        return command;
    }

    private static async Task<List<(string Name, string Version)>> CorpusBlobs(
        StorageLocation from, CancellationToken cancel)
    {
        var names = new List<(string, string)>();
        await foreach (BlobItem b in from.Container.ListAsync(from.Path, cancel))
        {
            if ((b.Name.EndsWith(".jsonl", StringComparison.Ordinal)
                    || b.Name.EndsWith(".json", StringComparison.Ordinal))
                && !b.Name.StartsWith(".padellm/", StringComparison.Ordinal))
            {
                names.Add((b.Name, b.ETag));
            }
        }

        return names;
    }

}

/// <summary>
/// Runs ProcessCorpus for one corpus blob and waits for it,
/// showing documents done against the corpus's lines.
/// </summary>
internal sealed class CorpusRun(
    DurablePipeline pipeline,
    IBlobContainer corpus,
    IBlobContainer results,
    string prefix,
    LabelSchema schema,
    int concurrency)
{
    public static string Stem(string name) => Path.GetFileNameWithoutExtension(name.Split('/')[^1]);

    public async Task<CorpusManifest> RunAsync(string name, CliContext ctx, CancellationToken cancel)
    {
        byte[] content = await corpus.GetAsync(name, cancel)
            ?? throw new UsageException($"{corpus.Location}/{name}: not found");
        int lines = content.Count(b => b == (byte)'\n') + 1;

        // Named by the corpus and its content: a rerun of the same corpus is the same instance; an edited one is new.
        string instance = InstanceIds.Corpus(name, content);
        string outPrefix = $"{prefix}{Stem(name)}/";
        var input = new ProcessCorpusInput(new BlobRef(BlobContainers.NameOf(corpus), name),
            BlobContainers.NameOf(results), outPrefix, SchemaSpec.From(schema), concurrency);
        await pipeline.ScheduleAsync(Contracts.TaskNames.ProcessCorpus, instance, input);

        InstanceOutcome<CorpusManifest> outcome = null!;
        await ctx.Progress.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async p =>
            {
                ProgressTask task = p.AddTask(Markup.Escape(name), maxValue: lines);
                Task<InstanceOutcome<CorpusManifest>> wait =
                    pipeline.WaitAsync<CorpusManifest>(instance, TimeSpan.FromDays(7), cancel);
                while (!wait.IsCompleted)
                {
                    await Task.WhenAny(wait, Task.Delay(TimeSpan.FromSeconds(1), cancel));
                    task.Value = Math.Min(lines, await Count(outPrefix, cancel));
                }

                outcome = await wait;
                task.Value = task.MaxValue;
            });
        return outcome.Output
            ?? throw new UsageException($"{name}: the corpus run {outcome.Status}: {outcome.Failure}");
    }

    // Progress as the results written so far (every engine writes them; a rerun counts what earlier runs wrote).
    private async Task<int> Count(string outPrefix, CancellationToken cancel)
    {
        int n = 0;
        await foreach (BlobItem b in results.ListAsync(outPrefix, cancel))
        {
            n += b.Name.EndsWith(".json", StringComparison.Ordinal)
                && !b.Name.EndsWith("/manifest.json", StringComparison.Ordinal) ? 1 : 0;
        }

        return n;
    }
}
