using System.CommandLine;
using System.Text.Json.Nodes;
using PaDeLLM.Activities;
using PaDeLLM.Contracts.Documents;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Extraction;
using PaDeLLM.Storage.Azure;
using PaDeLLM.Worker;
using PaDeLLM.Worker.Ingestion;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// <c>padellm ingest --queue NAME --out DIR|azure:C</c>: the queue-driven path, locally: take
/// documents from an Azure Storage queue (Azurite by default), write one result each, delete the
/// message, poison what cannot be done. <c>--enqueue FILE.jsonl</c> puts a corpus on the queue.
/// </summary>
internal static class IngestCommand
{
    public static Command Create(CliContext ctx)
    {
        var choice = new ModelChoice();
        var queueName = new Option<string>("--queue")
        {
            Description = "the queue (3-63 lowercase letters, digits, hyphens)",
            Required = true,
        };
        var output = new Option<string?>("--out")
        {
            Description = "results directory or azure:CONTAINER (required unless --enqueue)",
        };
        var connection = new Option<string?>("--connection")
        {
            Description = "storage connection string "
                + "(default: $PADELLM_STORAGE, $AzureWebJobsStorage, else Azurite's UseDevelopmentStorage=true)",
        };
        var enqueue = new Option<string?>("--enqueue")
        {
            Description = "put every document of this JSON-lines file on the queue, then stop",
        };
        var untilEmpty = new Option<bool>("--until-empty")
        {
            Description = "stop when the queue is empty (default: keep listening until Ctrl-C)",
        };
        var command = new Command("ingest",
            "Extract entities from documents arriving on a storage queue (poison queue after 5 tries)")
        {
            queueName, output, connection, enqueue, untilEmpty,
        };
        choice.AddTo(command);
        command.SetAction(async (r, cancel) =>
        {
            StorageConnection account;
            AzureQueue queue, poison;
            try
            {
                account = StorageConnection.From(r.GetValue(connection))
                    ?? StorageConnection.Parse("UseDevelopmentStorage=true");
                queue = account.Queue(r.GetValue(queueName)!);
                poison = account.Queue(queue.Name + "-poison");
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--queue: {e.Message}");
            }

            await queue.CreateAsync(cancel);
            await poison.CreateAsync(cancel);
            if (r.GetValue(enqueue) is string file)
            {
                var (documents, problems) = CorpusDocuments.Parse(File.ReadAllBytes(file), file);
                foreach (CorpusFailure p in problems)
                {
                    ctx.Error.WriteLine($"{p.Error} (skipped)");
                }

                foreach (CorpusDocument d in documents)
                {
                    await queue.SendAsync(new JsonObject { ["id"] = d.Id, ["text"] = d.Text }.ToJsonString(), cancel);
                }

                ctx.Error.WriteLine($"{documents.Count} documents -> queue {queue.Name}");
                return problems.Count == 0 ? 0 : 2;
            }

            string outSpec = r.GetValue(output) ?? throw new UsageException("--out is required (where the results go)");
            StorageLocation to = StorageLocation.Parse(outSpec, r.GetValue(connection), "--out");
            await to.Container.CreateIfNotExistsAsync(cancel);
            using OpenModel model = choice.Open(r, ctx.Error);
            using var engine = new PadellmEngineService(model.Decoder, model.Tokenizer)
            {
                ModelName = model.Name,
                CopyMentions = choice.CopyMentions(r),
            };
            await using DurablePipeline pipeline =
                DurablePipeline.InMemory(new PipelineTasks(engine, BlobContainers.For(account)));
            await pipeline.StartAsync();
            var ingestor = new QueueIngestor(queue, poison, pipeline,
                SchemaSpec.From(choice.Schema(r, model.Directory)), BlobContainers.NameOf(to.Container));
            ctx.Error.WriteLine(
                $"padellm ingest: {queue.Name} at {account.Description} -> {to.Container.Location}; Ctrl-C stops");
            try
            {
                await ingestor.RunAsync(r.GetValue(untilEmpty), TimeSpan.FromSeconds(1), cancel);
            }
            catch (OperationCanceledException)
            {
            }

            ctx.Error.WriteLine($"padellm ingest: {ingestor.Processed} documents done, "
                + $"{ingestor.Poisoned} poisoned (to {poison.Name})");
            return 0;
        });
        return command;
    }
}
