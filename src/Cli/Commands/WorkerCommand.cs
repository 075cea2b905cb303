using System.CommandLine;
using PaDeLLM.Activities;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Extraction;
using PaDeLLM.Storage.Azure;
using PaDeLLM.Worker;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// <c>padellm worker --durable CONNECTION [--task-hub NAME]</c>: a self-hosted worker of the
/// pipeline on the Durable Task engine over Azure Storage. Any number of them, on any machines,
/// share one task hub's orchestrations and activities; one killed is replaced by the others (or
/// by itself restarted) once its messages' visibility timeout and its partition leases lapse.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create(CliContext ctx)
    {
        var choice = new ModelChoice();
        var durable = new DurableChoice();
        var gpuHost = new Option<string?>("--gpu-host")
        {
            Description = "run the count and mention steps on this model host (URL) instead of a model in this process",
        };
        var gpuKey = new Option<string?>("--gpu-host-key")
        {
            Description = "the model host's API key (default: $PADELLM_GPU_HOST_KEY)",
        };
        var concurrency = new Option<int>("--concurrency")
        {
            Description = "work items this worker runs at once",
            DefaultValueFactory = _ => 64,
        };
        var command = new Command("worker",
            "Run orchestrations and activities from a Durable Task hub in Azure Storage until Ctrl-C")
        {
            gpuHost, gpuKey, concurrency,
        };
        choice.AddTo(command);
        durable.AddTo(command);
        command.SetAction(async (r, cancel) =>
        {
            StorageConnection storage = durable.Connection(r)
                ?? throw new UsageException("--durable is required: the task hub's storage account");
            using var http = new HttpClient();
            OpenModel? model = null;
            PadellmEngineService? local = null;
            try
            {
                IPadellmEngine engine;
                if (r.GetValue(gpuHost) is string url)
                {
                    engine = new HttpPadellmEngine(http,
                        Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out Uri? u)
                            ? u
                            : throw new UsageException($"--gpu-host {url}: not an absolute URL"),
                        r.GetValue(gpuKey) ?? Environment.GetEnvironmentVariable("PADELLM_GPU_HOST_KEY"));
                }
                else
                {
                    model = choice.Open(r, ctx.Error);
                    engine = local = new PadellmEngineService(model.Decoder, model.Tokenizer)
                    {
                        ModelName = model.Name,
                        CopyMentions = choice.CopyMentions(r),
                    };
                }

                var tasks = new PipelineTasks(engine, BlobContainers.For(storage));
                await using (DurablePipeline pipeline =
                    durable.Open(r, tasks, Math.Clamp(r.GetValue(concurrency), 1, 1024)))
                {
                    await pipeline.StartAsync();
                    ctx.Error.WriteLine($"padellm worker: {engine.ModelName} on {pipeline.Description} "
                        + $"({storage.Description}); Ctrl-C stops");
                    await Task.Delay(Timeout.Infinite, cancel).ContinueWith(_ => { }, CancellationToken.None);
                }

                ctx.Error.WriteLine($"padellm worker: stopped after {tasks.ActivitiesRun} activities");
            }
            finally
            {
                local?.Dispose();
                model?.Dispose();
            }

            return 0;
        });
        return command;
    }
}
