using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using PaDeLLM.Activities;
using PaDeLLM.Extraction;
using PaDeLLM.GpuHost;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// <c>padellm serve</c>: the GPU host (<c>/v1/count</c>, <c>/v1/mention</c>, <c>/v1/extract</c>,
/// probes, metrics) and the pipeline API (<c>POST /api/extract</c> → 202 + status URL) in one
/// process, on loopback unless --urls says otherwise. Ctrl-C drains in-flight work.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliContext ctx)
    {
        var choice = new ModelChoice();
        var urls = new Option<string>("--urls") { Description = "where to listen", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var apiKey = new Option<string?>("--api-key") { Description = "require this x-api-key on every call but the probes (default: $PADELLM_API_KEY)" };
        var output = new Option<string?>("--out") { Description = "also write each /api/extract result to DIR or azure:CONTAINER" };
        var connection = new Option<string?>("--connection") { Description = "storage connection string for an azure: --out" };
        var maxQueue = new Option<int>("--max-queue") { Description = "requests waiting for the decode batch before 429", DefaultValueFactory = _ => 1024 };
        var maxText = new Option<int>("--max-text") { Description = "longest text accepted, characters (413 beyond)", DefaultValueFactory = _ => 8192 };
        var command = new Command("serve", "Run the GPU host and the pipeline's HTTP API (continuous batching, prefix cache, /metrics)") { urls, apiKey, output, connection, maxQueue, maxText };
        choice.AddTo(command);
        command.SetAction(async (r, cancel) =>
        {
            using OpenModel model = choice.Open(r);
            using var batcher = new ContinuousBatcher(model.Decoder, maxQueuedJobs: Math.Max(1, r.GetValue(maxQueue)));
            using var engine = new PadellmEngineService(model.Decoder, model.Tokenizer, batcher) { ModelName = model.Name };
            using var http = new HttpClient();
            BlobContainers? results = null;
            if (r.GetValue(output) is string outSpec)
            {
                StorageLocation to = StorageLocation.Parse(outSpec, r.GetValue(connection), http, "--out");
                await to.Container.CreateIfNotExistsAsync(cancel);
                results = BlobContainers.Of(new Dictionary<string, IBlobContainer> { ["results"] = to.Container });
            }

            var options = new GpuHostOptions
            {
                Urls = r.GetValue(urls)!,
                ApiKey = r.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("PADELLM_API_KEY"),
                MaxQueuedJobs = r.GetValue(maxQueue),
                MaxTextChars = Math.Max(1, r.GetValue(maxText)),
                DefaultSchema = choice.Schema(r, model.Directory),
            };
            await using WebApplication app = GpuHostApp.Build(options, engine, results);
            await app.StartAsync(cancel);
            ctx.Error.WriteLine($"padellm serve: {engine.ModelName} ({string.Join(",", options.DefaultSchema.Keys)}) on {string.Join(", ", app.Urls)}{(options.ApiKey is null ? "" : " (x-api-key required)")}; Ctrl-C stops");
            try
            {
                await Task.Delay(Timeout.Infinite, cancel);
            }
            catch (OperationCanceledException)
            {
            }

            ctx.Error.WriteLine("padellm serve: draining in-flight requests");
            await app.StopAsync(CancellationToken.None);
            await batcher.DrainAsync();
            return 0;
        });
        return command;
    }
}
