using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using PaDeLLM.Activities;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Orchestrations.Extraction;
using PaDeLLM.Orchestrations.Runtime;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Tokenizers;
using Spectre.Console;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// <c>padellm corpus --in FILE|DIR|azure:C[/NAME] --out DIR|azure:C[/PREFIX]</c>: the blob-triggered
/// corpus path, locally. Every corpus blob (a JSON-lines file) becomes one ProcessCorpus
/// orchestration on the in-process backend, whose histories persist under --state: a second run
/// does no model work, and a run killed midway resumes where it stopped. With --watch, new
/// blobs are processed as they arrive.
/// </summary>
internal static class CorpusCommand
{
    public static Command Create(CliContext ctx)
    {
        var choice = new ModelChoice();
        var input = new Option<string>("--in") { Description = "a .jsonl file, a directory of them, or azure:CONTAINER[/NAME]", Required = true };
        var output = new Option<string>("--out") { Description = "results directory or azure:CONTAINER[/PREFIX]", Required = true };
        var state = new Option<string?>("--state") { Description = "orchestration histories (default: OUT/.padellm/history, or ./.padellm/history for Azure)" };
        var concurrency = new Option<int>("--concurrency") { Description = "documents in flight per corpus", DefaultValueFactory = _ => 8 };
        var connection = new Option<string?>("--connection") { Description = "storage connection string for azure: locations" };
        var watch = new Option<bool>("--watch") { Description = "keep watching the input for new corpus blobs (Ctrl-C stops)" };
        var poll = new Option<double>("--poll-seconds") { Description = "how often --watch lists the input", DefaultValueFactory = _ => 2.0 };
        var command = new Command("corpus", "Extract entities from every document of a corpus (JSON lines) into one result blob each, plus a manifest")
        {
            input, output, state, concurrency, connection, watch, poll,
        };
        choice.AddTo(command);
        command.SetAction(async (r, cancel) =>
        {
            if (r.GetValue(concurrency) is < 1 or > 1024)
            {
                throw new UsageException("--concurrency must be between 1 and 1024");
            }

            using var http = new HttpClient();
            StorageLocation from = StorageLocation.Parse(r.GetValue(input)!, r.GetValue(connection), http, "--in");
            StorageLocation to = StorageLocation.Parse(r.GetValue(output)!, r.GetValue(connection), http, "--out");
            if (to.IsLocalFile)
            {
                throw new UsageException($"--out {r.GetValue(output)}: is a file; give a directory");
            }

            using OpenModel model = choice.Open(r);
            LabelSchema schema = choice.Schema(r, model.Directory);
            using var engine = new PadellmEngineService(model.Decoder, model.Tokenizer) { ModelName = model.Name };
            string stateDir = r.GetValue(state) ?? (to.Container is LocalDirectoryContainer local
                ? Path.Combine(local.Directory, ".padellm", "history")
                : Path.Combine(Directory.GetCurrentDirectory(), ".padellm", "history"));
            var runner = new CorpusRunner(engine, from.Container, to.Container, to.Path, schema, r.GetValue(concurrency), new DirectoryHistoryStore(stateDir));
            await to.Container.CreateIfNotExistsAsync(cancel);

            var done = new HashSet<string>(StringComparer.Ordinal);
            do
            {
                // A blob is (re)processed when its name or content version is new: an edited corpus is run again.
                List<(string Name, string Version)> names = from.IsLocalFile
                    ? [(from.Path, File.GetLastWriteTimeUtc(Path.Combine(((LocalDirectoryContainer)from.Container).Directory, from.Path)).Ticks.ToString(CultureInfo.InvariantCulture))]
                    : await from.Container.ListAsync(from.Path, cancel)
                        .Where(b => b.Name.EndsWith(".jsonl", StringComparison.Ordinal) || b.Name.EndsWith(".json", StringComparison.Ordinal))
                        .Where(b => !b.Name.StartsWith(".padellm/", StringComparison.Ordinal))
                        .Select(b => (b.Name, b.ETag)).ToListAsync(cancel);
                foreach ((string name, string version) in names.Where(n => !done.Contains($"{n.Name}|{n.Version}")))
                {
                    JsonNode manifest = await runner.RunAsync(name, ctx, cancel);
                    done.Add($"{name}|{version}");
                    ctx.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{name}: {(int)manifest["documents"]!} documents, {(int)manifest["succeeded"]! - (int)manifest["reused"]!} extracted, {(int)manifest["reused"]!} reused, {(int)manifest["failed"]!} failed, {(int)manifest["entities"]!} entities -> {to.Container.Location}/{to.Path}{CorpusRunner.Stem(name)}/"));
                }

                if (!r.GetValue(watch))
                {
                    if (names.Count == 0)
                    {
                        throw new UsageException($"--in {r.GetValue(input)}: no .jsonl or .json corpus found");
                    }

                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(Math.Max(0.1, r.GetValue(poll))), cancel).ContinueWith(_ => { }, CancellationToken.None);
            }
            while (!cancel.IsCancellationRequested);

            return 0;
        });
        return command;
    }
}

/// <summary>Runs ProcessCorpus for one corpus blob on an in-process backend with persisted histories, showing progress.</summary>
internal sealed class CorpusRunner(IPadellmEngine engine, IBlobContainer corpus, IBlobContainer results, string prefix, LabelSchema schema, int concurrency, IHistoryStore history)
{
    public static string Stem(string name) => Path.GetFileNameWithoutExtension(name.Split('/')[^1]);

    public async Task<JsonNode> RunAsync(string name, CliContext ctx, CancellationToken cancel)
    {
        byte[] content = await corpus.GetAsync(name, cancel) ?? throw new UsageException($"{corpus.Location}/{name}: not found");
        int lines = content.Count(b => b == (byte)'\n') + 1;

        // The instance is named by the corpus's name and content: an edited corpus is a new run.
        string instance = $"corpus|{name}|{Convert.ToHexString(SHA256.HashData(content))[..16]}";
        var backend = new InProcessOrchestrationBackend { History = history }
            .AddPadellm(engine, BlobContainers.Of(new Dictionary<string, IBlobContainer> { ["corpus"] = corpus, ["results"] = results }));
        var input = new JsonObject
        {
            ["corpus"] = new JsonObject { ["container"] = "corpus", ["name"] = name },
            ["output"] = new JsonObject { ["container"] = "results", ["prefix"] = $"{prefix}{Stem(name)}/" },
            ["schema"] = SchemaJson.Write(schema),
            ["concurrency"] = concurrency,
        };

        OrchestratorResult result = null!;
        await ctx.Progress.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async p =>
            {
                ProgressTask task = p.AddTask(Markup.Escape(name), maxValue: lines);
                backend.InstanceCompleted += (orchestrator, _) =>
                {
                    if (orchestrator == ExtractDocumentOrchestrator.Name)
                    {
                        task.Increment(1);
                    }
                };
                (result, _) = await backend.RunAsync(ProcessCorpusOrchestrator.Name, instance, input, cancel);
                task.Value = task.MaxValue;
            });
        if (result.Failure is not null)
        {
            // Forget the failed run so the next one starts afresh (finished documents are still reused).
            history.Purge(instance);
            throw new UsageException($"{name}: the corpus run failed: {result.Failure}");
        }

        if (backend.ActivitiesRun == 0)
        {
            ctx.Error.WriteLine($"{name}: already processed (recorded in {instance}); nothing to do");
        }

        return result.Output!;
    }
}
