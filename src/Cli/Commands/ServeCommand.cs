using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using PaDeLLM.Activities;
using PaDeLLM.Cli.Serving;
using PaDeLLM.Extraction;
using PaDeLLM.GpuHost;
using PaDeLLM.Model.Inference;
using PaDeLLM.Storage.Azure;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Worker;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// <c>padellm serve</c>: the model host (<c>/v1/count</c>, <c>/v1/mention</c>, <c>/v1/extract</c>,
/// probes, metrics) and, composed onto it, the pipeline API (<c>POST /api/extract</c> → 202 +
/// status URL) running ExtractDocument on the embedded Durable engine over the same model.
/// Loopback unless --urls says otherwise. Ctrl-C drains in-flight work.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliContext ctx)
    {
        var choice = new ModelChoice();
        var urls = new Option<string>("--urls")
        {
            Description = "where to listen",
            DefaultValueFactory = _ => "http://127.0.0.1:8080",
        };
        var publicUrl = new Option<string?>("--public-url")
        {
            Description = "the base URL status links use (default: the first of --urls)",
        };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "require this x-api-key on every call but the probes (default: $PADELLM_API_KEY)",
        };
        var output = new Option<string?>("--out")
        {
            Description = "also write each /api/extract result to DIR or azure:CONTAINER",
        };
        var connection = new Option<string?>("--connection") { Description = "storage account for an azure: --out" };
        var maxQueue = new Option<int>("--max-queue")
        {
            Description = "requests waiting for the decode batch before 429",
            DefaultValueFactory = _ => 1024,
        };
        var maxText = new Option<int>("--max-text")
        {
            Description = "longest text accepted, characters (413 beyond)",
            DefaultValueFactory = _ => 8192,
        };
        var cacheTexts = new Option<int>("--cache-texts")
        {
            Description = "most texts the prefix cache keeps (least recently used out first)",
            DefaultValueFactory = _ => 64,
        };
        var cacheMb = new Option<int>("--cache-mb")
        {
            Description = "most K/V memory the prefix cache keeps, MB",
            DefaultValueFactory = _ => 512,
        };
        var command = new Command("serve",
            "Run the model host, the pipeline's HTTP API and a page to try the model at / "
            + "(continuous batching, prefix cache, /metrics)")
        {
            urls, publicUrl, apiKey, output, connection, maxQueue, maxText, cacheTexts, cacheMb,
        };
        choice.AddTo(command);
        command.SetAction(async (r, cancel) =>
        {
            string? key = r.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("PADELLM_API_KEY");
            if (key is not null && key.Trim().Length == 0)
            {
                throw new UsageException("--api-key is empty: give a key, or leave it out to serve without one");
            }

            string baseUrl = r.GetValue(publicUrl) ?? r.GetValue(urls)!.Split(';')[0];
            if (!Uri.TryCreate(baseUrl.TrimEnd('/') + "/", UriKind.Absolute, out Uri? publicBase))
            {
                throw new UsageException($"--public-url {baseUrl}: not an absolute URL");
            }

            if (r.GetValue(cacheTexts) < 1 || r.GetValue(cacheMb) < 1)
            {
                throw new UsageException("--cache-texts and --cache-mb must be at least 1");
            }

            using OpenModel model = choice.Open(r, ctx.Error);
            using var batcher = new ContinuousBatcher(model.Decoder, maxQueuedJobs: Math.Max(1, r.GetValue(maxQueue)));
            using var engine = new PadellmEngineService(model.Decoder, model.Tokenizer, batcher)
            {
                ModelName = model.Name,
                CopyMentions = choice.CopyMentions(r),
                CacheEntries = r.GetValue(cacheTexts),
                CacheBytes = (long)r.GetValue(cacheMb) << 20,
            };
            IBlobContainer? results = null;
            if (r.GetValue(output) is string outSpec)
            {
                StorageLocation to = StorageLocation.Parse(outSpec, r.GetValue(connection), "--out");
                await to.Container.CreateIfNotExistsAsync(cancel);
                results = to.Container;
            }

            StorageConnection? storage = StorageConnection.From(r.GetValue(connection));
            await using DurablePipeline pipeline =
                DurablePipeline.InMemory(new PipelineTasks(engine, BlobContainers.For(storage)));
            await pipeline.StartAsync();
            var options = new GpuHostOptions
            {
                Urls = r.GetValue(urls)!,
                ApiKey = key,
                MaxQueuedJobs = r.GetValue(maxQueue),
                MaxTextChars = Math.Max(1, r.GetValue(maxText)),
                DefaultSchema = choice.Schema(r, model.Directory),
            };
            await using WebApplication app =
                GpuHostApp.Build(options, engine, extend: new PipelineApi(pipeline, results, publicBase));
            await app.StartAsync(cancel);
            ctx.Error.WriteLine($"padellm serve: {engine.ModelName} ({string.Join(",", options.DefaultSchema.Keys)}) "
                + $"on {string.Join(", ", app.Urls)}"
                + $"{(options.ApiKey is null ? "" : " (x-api-key required)")}; Ctrl-C stops");
            await Task.Delay(Timeout.Infinite, cancel).ContinueWith(_ => { }, CancellationToken.None);
            ctx.Error.WriteLine("padellm serve: draining in-flight requests");
            await app.StopAsync(CancellationToken.None);
            await batcher.DrainAsync();
            return 0;
        });
        return command;
    }
}
