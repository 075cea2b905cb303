using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PaDeLLM.Activities;
using PaDeLLM.Activities.Ingestion;
using PaDeLLM.Extraction;
using PaDeLLM.Functions.Durable;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Orchestrations;
using PaDeLLM.Orchestrations.Extraction;

namespace PaDeLLM.Functions.Handler;

/// <summary>What the handler runs with: the model (in process or a GPU host), storage, the default schema, an HTTP client for the Durable API.</summary>
public sealed record FunctionsSettings(IPadellmEngine Engine, BlobContainers Containers, LabelSchema Schema, HttpClient Http)
{
    public int MaxTextChars { get; init; } = 8_192;

    public int CorpusConcurrency { get; init; } = 16;
}

/// <summary>
/// The Azure Functions custom handler: one POST route per function (the host calls
/// <c>/{FunctionName}</c> with the invocation envelope). Orchestrators answer the Durable
/// protocol; activities run the same code as the in-process backend; the HTTP, blob and queue
/// triggers start orchestrations through the durableClient binding.
/// </summary>
public static class FunctionsHandler
{
    private static readonly IReadOnlyDictionary<string, Func<IOrchestrationContext, Task<JsonNode?>>> Orchestrators = new Dictionary<string, Func<IOrchestrationContext, Task<JsonNode?>>>(StringComparer.Ordinal)
    {
        [ExtractDocumentOrchestrator.Name] = ExtractDocumentOrchestrator.RunAsync,
        [ProcessCorpusOrchestrator.Name] = ProcessCorpusOrchestrator.RunAsync,
    };

    public static WebApplication Build(FunctionsSettings settings, string urls)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var trigger = new OrchestrationTrigger(Orchestrators);

        app.MapPost("/{function}", async (string function, HttpContext http) =>
        {
            if (!FunctionCatalog.Functions.TryGetValue(function, out FunctionKind kind))
            {
                return Results.Json(new JsonObject { ["error"] = $"no function named '{function}'" }, statusCode: 404);
            }

            Invocation invocation;
            try
            {
                invocation = Invocation.Parse(await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted));
            }
            catch (Exception e) when (e is JsonException or ArgumentException)
            {
                return Results.Json(new JsonObject { ["error"] = e.Message }, statusCode: 400);
            }

            var result = new InvocationResult();
            try
            {
                await (kind switch
                {
                    FunctionKind.Orchestrator => Orchestrate(trigger, invocation, result),
                    FunctionKind.Activity => Activity(settings, function, invocation, result, http.RequestAborted),
                    FunctionKind.HttpStart => HttpStartAsync(settings, invocation, result, http.RequestAborted),
                    FunctionKind.HttpStatus => HttpStatusAsync(settings, invocation, result, http.RequestAborted),
                    FunctionKind.CorpusBlob => CorpusBlobAsync(settings, invocation, result, http.RequestAborted),
                    FunctionKind.IngestQueue => IngestQueueAsync(settings, invocation, result, http.RequestAborted),
                    _ => throw new InvalidOperationException(kind.ToString()),
                });
                return Results.Json(result.ToJson());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed invocation: the host records it (an activity's TaskFailed, a trigger's retry and poison).
                result.Logs.Add($"{function} failed: {e.GetType().Name}: {e.Message}");
                return Results.Json(result.ToJson(), statusCode: 500);
            }
        });

        return app;
    }

    private static Task Orchestrate(OrchestrationTrigger trigger, Invocation invocation, InvocationResult result)
    {
        result.ReturnValue = trigger.Handle(invocation.RequiredString("context"));
        return Task.CompletedTask;
    }

    private static async Task Activity(FunctionsSettings s, string name, Invocation invocation, InvocationResult result, CancellationToken cancel)
    {
        JsonNode input = invocation.Input("input") ?? throw new ArgumentException($"activity {name}: no input");
        result.ReturnValue = name switch
        {
            ExtractDocumentOrchestrator.CountActivity => await PadellmActivities.CountAsync(s.Engine, input, cancel),
            ExtractDocumentOrchestrator.MentionActivity => await PadellmActivities.MentionAsync(s.Engine, input, cancel),
            ExtractDocumentOrchestrator.ReadBlobActivity => await PadellmActivities.ReadBlobAsync(s.Containers, input, cancel),
            ExtractDocumentOrchestrator.WriteBlobActivity => await PadellmActivities.WriteBlobAsync(s.Containers, input, cancel),
            ProcessCorpusOrchestrator.ReadCorpusActivity => await PadellmActivities.ReadCorpusAsync(s.Containers, input, cancel),
            _ => throw new ArgumentException($"no activity named '{name}'"),
        };
    }

    private static async Task HttpStartAsync(FunctionsSettings s, Invocation invocation, InvocationResult result, CancellationToken cancel)
    {
        JsonNode req = invocation.Input("req") ?? throw new ArgumentException("no req binding");
        JsonObject? body = null;
        try
        {
            body = Invocation.Unwrap(req["Body"]) as JsonObject;
        }
        catch (JsonException)
        {
        }

        (string? givenId, DocumentProblem? idProblem) = body is null ? (null, null) : DocumentFields.Id(body);
        (string? text, DocumentProblem? textProblem) = body is null ? (null, null) : DocumentFields.Text(body, s.MaxTextChars);
        DocumentProblem? problem = body is null ? new DocumentProblem("body", "the body must be a JSON object {\"text\", \"id\"?}") : idProblem ?? textProblem;
        if (problem is not null)
        {
            int code = problem.TooLarge ? 413 : 400;
            result.Outputs["res"] = InvocationResult.Http(code, new JsonObject { ["title"] = "Invalid request", ["status"] = code, ["detail"] = problem.Detail, ["field"] = problem.Field });
            return;
        }

        string docId = givenId ?? Guid.NewGuid().ToString("N");
        var input = new JsonObject
        {
            ["id"] = docId,
            ["text"] = text,
            ["schema"] = SchemaJson.Write(s.Schema),
            ["output"] = ExtractDocumentOrchestrator.ResultOutput(FunctionCatalog.ResultsContainer, "api/", docId),
        };
        var client = new DurableClient(Starter(invocation), s.Http);
        var (status, management) = await client.StartNewAsync(ExtractDocumentOrchestrator.Name, $"api-{docId}", input, cancel);
        var headers = new Dictionary<string, string>();
        if ((string?)management?["statusQueryGetUri"] is string statusUri)
        {
            headers["Location"] = statusUri;
        }

        result.Outputs["res"] = InvocationResult.Http((int)status, management, headers);
    }

    private static async Task HttpStatusAsync(FunctionsSettings s, Invocation invocation, InvocationResult result, CancellationToken cancel)
    {
        JsonNode req = invocation.Input("req") ?? throw new ArgumentException("no req binding");
        string instanceId = (string?)req["Params"]?["instanceId"] ?? (string?)invocation.Metadata["instanceId"] ?? throw new ArgumentException("no instanceId route parameter");
        var (status, body) = await new DurableClient(Starter(invocation), s.Http).GetStatusAsync(instanceId, cancel);
        result.Outputs["res"] = InvocationResult.Http((int)status, body);
    }

    private static async Task CorpusBlobAsync(FunctionsSettings s, Invocation invocation, InvocationResult result, CancellationToken cancel)
    {
        string name = (string?)invocation.Metadata["name"] ?? throw new ArgumentException("blob trigger without a name in Metadata");
        // The instance id names the blob and its content: a re-upload of the same bytes is the same run.
        string content = invocation.Data["corpus"]?.ToJsonString() ?? "";
        string instanceId = $"corpus|{name}|{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..16]}";
        var input = new JsonObject
        {
            ["corpus"] = new JsonObject { ["container"] = FunctionCatalog.CorpusContainer, ["name"] = name },
            ["output"] = new JsonObject { ["container"] = FunctionCatalog.ResultsContainer, ["prefix"] = $"{Path.GetFileNameWithoutExtension(name)}/" },
            ["schema"] = SchemaJson.Write(s.Schema),
            ["concurrency"] = s.CorpusConcurrency,
        };
        var (status, _) = await new DurableClient(Starter(invocation), s.Http).StartNewAsync(ProcessCorpusOrchestrator.Name, instanceId, input, cancel);
        result.Logs.Add($"corpus blob {name}: {ProcessCorpusOrchestrator.Name} {instanceId} ({(int)status})");
    }

    private static async Task IngestQueueAsync(FunctionsSettings s, Invocation invocation, InvocationResult result, CancellationToken cancel)
    {
        // A message that cannot be read fails the invocation: the host retries it and poisons it after maxDequeueCount.
        JsonNode? body = invocation.Input("message");
        (string? given, string? text, string? problem) = body is JsonValue v && v.TryGetValue(out string? raw) ? IngestMessage.Parse(raw) : IngestMessage.Parse(body?.ToJsonString() ?? "null");
        if (problem is not null)
        {
            throw new ArgumentException($"queue message must be a JSON object {{\"id\"?, \"text\"}}: {problem}");
        }

        string id = given ?? (string?)invocation.Metadata["Id"] ?? Guid.NewGuid().ToString("N");
        var input = new JsonObject
        {
            ["id"] = id,
            ["text"] = text,
            ["schema"] = SchemaJson.Write(s.Schema),
            ["output"] = ExtractDocumentOrchestrator.ResultOutput(FunctionCatalog.ResultsContainer, $"{FunctionCatalog.IngestQueueName}/", id),
        };
        var (status, _) = await new DurableClient(Starter(invocation), s.Http).StartNewAsync(ExtractDocumentOrchestrator.Name, $"queue|{FunctionCatalog.IngestQueueName}|{id}", input, cancel);
        result.Logs.Add($"queue message {id}: {ExtractDocumentOrchestrator.Name} ({(int)status})");
    }

    private static JsonObject Starter(Invocation invocation) =>
        invocation.Input("starter") as JsonObject ?? throw new ArgumentException("no durableClient binding named 'starter'");
}
