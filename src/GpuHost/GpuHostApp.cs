using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PaDeLLM.Activities;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Orchestrations.Extraction;
using PaDeLLM.Orchestrations.Runtime;

namespace PaDeLLM.GpuHost;

/// <summary>
/// The GPU host: an ASP.NET Core service around one model. <c>/v1/count</c> and <c>/v1/mention</c>
/// are what the activities call; <c>/v1/extract</c> runs a whole document; all share one
/// continuous batch. With <see cref="GpuHostOptions.PipelineApi"/> it also serves the pipeline's
/// HTTP entry point (<c>/api/extract</c>: 202 with a status URL, or <c>?wait=true</c> for the
/// result), running ExtractDocument on the in-process backend.
/// </summary>
public static class GpuHostApp
{
    public static WebApplication Build(GpuHostOptions options, PadellmEngineService engine, BlobContainers? results = null, Action<ILoggingBuilder>? logging = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes + 1);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        WebApplication app = builder.Build();

        var reader = new RequestReader(options);
        var metrics = new HostMetrics(engine.Batcher);
        var backend = new InProcessOrchestrationBackend().AddPadellm(engine, results);
        var instances = new ConcurrentDictionary<string, PipelineInstance>(StringComparer.Ordinal);
        bool ready = true;
        app.Lifetime.ApplicationStopping.Register(() => ready = false);

        app.Use(async (http, next) =>
        {
            string endpoint = http.Request.Path.StartsWithSegments("/api/extract") ? "/api/extract" : http.Request.Path.Value ?? "/";
            var clock = Stopwatch.StartNew();
            try
            {
                bool probe = endpoint is "/healthz" or "/readyz" or "/metrics";
                if (!probe && options.ApiKey is { Length: > 0 } key && !string.Equals(http.Request.Headers["x-api-key"], key, StringComparison.Ordinal))
                {
                    await Problems.WriteAsync(http, StatusCodes.Status401Unauthorized, "Unauthorized", "a valid x-api-key header is required", "x-api-key");
                    return;
                }

                await next(http);
            }
            catch (ProblemException p)
            {
                await Problems.WriteAsync(http, p.Status, p.Title, p.Message, p.Field);
            }
            catch (BatcherFullException e)
            {
                await Problems.WriteAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests", e.Message, null,
                    new Dictionary<string, string> { ["Retry-After"] = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }
            catch (BadHttpRequestException e)
            {
                await Problems.WriteAsync(http, e.StatusCode, "Bad request", e.Message, "body");
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                // The client went away; nothing to answer.
            }
            catch (ObjectDisposedException) when (!ready)
            {
                await Problems.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "Shutting down", "the host is shutting down; retry on another instance");
            }
            catch (Exception e) when (!http.Response.HasStarted)
            {
                // A bug, not the caller's fault: answer with a problem, never a stack trace or a dropped connection.
                app.Logger.LogError(e, "unhandled error on {Path}", http.Request.Path);
                await Problems.WriteAsync(http, StatusCodes.Status500InternalServerError, "Internal error", $"the host failed to answer: {e.GetType().Name}");
            }
            finally
            {
                metrics.Observe(endpoint, http.Response.StatusCode, clock.Elapsed.TotalSeconds);
            }
        });
        app.UseStatusCodePages(async ctx =>
        {
            HttpContext http = ctx.HttpContext;
            if (!http.Response.HasStarted && http.Response.ContentLength is null)
            {
                string detail = http.Response.StatusCode == 405 ? $"{http.Request.Method} is not allowed on {http.Request.Path}" : $"no resource at {http.Request.Path}";
                await Problems.WriteAsync(http, http.Response.StatusCode, http.Response.StatusCode == 405 ? "Method not allowed" : "Not found", detail);
            }
        });

        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", (HttpContext http) => ready
            ? Results.Json(new JsonObject { ["status"] = "ready", ["model"] = engine.ModelName, ["labels"] = string.Join(",", options.DefaultSchema.Keys) })
            : Results.Problem(statusCode: 503, title: "Not ready", detail: "the host is shutting down"));
        app.MapGet("/metrics", () => Results.Text(metrics.Render(), "text/plain; version=0.0.4"));

        app.MapPost("/v1/count", async (HttpContext http) =>
        {
            JsonObject body = await reader.BodyAsync(http.Request);
            string text = reader.Text(body);
            LabelSchema schema = reader.Schema(body);
            IReadOnlyList<CountAnswer> counts = await engine.CountAsync(text, schema, http.RequestAborted);
            return Results.Json(new JsonObject
            {
                ["model"] = engine.ModelName,
                ["counts"] = new JsonArray(counts.Select(c => (JsonNode)new JsonObject { ["label"] = c.Label, ["count"] = c.Count, ["failure"] = c.Failure, ["tokens"] = c.GeneratedTokens }).ToArray()),
            });
        });

        app.MapPost("/v1/mention", async (HttpContext http) =>
        {
            JsonObject body = await reader.BodyAsync(http.Request);
            string text = reader.Text(body);
            LabelSchema schema = reader.Schema(body);
            string label = RequestReader.String(body, "label");
            if (!schema.Contains(label))
            {
                throw ProblemException.BadRequest("label", $"unknown label '{label}': the schema has {string.Join(", ", schema.Keys)}");
            }

            int count = RequestReader.Int(body, "count", 1, options.MaxCount);
            int k = RequestReader.Int(body, "k", 1, count);
            MentionAnswer a = await engine.MentionAsync(text, schema, label, count, k, http.RequestAborted);
            return Results.Json(new JsonObject { ["label"] = a.Label, ["k"] = a.K, ["mention"] = a.Mention, ["logprob"] = a.LogProbability, ["failure"] = a.Failure, ["tokens"] = a.GeneratedTokens });
        });

        app.MapPost("/v1/extract", async (HttpContext http) =>
        {
            JsonObject body = await reader.BodyAsync(http.Request);
            var input = new JsonObject { ["id"] = RequestReader.Id(body), ["text"] = reader.Text(body), ["schema"] = SchemaJson.Write(reader.Schema(body)) };
            var (result, _) = await backend.RunAsync(ExtractDocumentOrchestrator.Name, $"v1-{Guid.NewGuid():N}", input, http.RequestAborted);
            return result.Failure is null ? Results.Json(result.Output) : Results.Problem(statusCode: 500, title: "Extraction failed", detail: result.Failure);
        });

        if (options.PipelineApi)
        {
            MapPipeline(app, options, reader, backend, instances, results is not null);
        }

        return app;
    }

    private static void MapPipeline(WebApplication app, GpuHostOptions options, RequestReader reader, InProcessOrchestrationBackend backend, ConcurrentDictionary<string, PipelineInstance> instances, bool writeResults)
    {
        app.MapPost("/api/extract", async (HttpContext http) =>
        {
            JsonObject body = await reader.BodyAsync(http.Request);
            string id = RequestReader.Id(body) ?? Guid.NewGuid().ToString("N");
            var input = new JsonObject { ["id"] = id, ["text"] = reader.Text(body), ["schema"] = SchemaJson.Write(reader.Schema(body)) };
            if (writeResults)
            {
                input["output"] = ExtractDocumentOrchestrator.ResultOutput("results", "api/", id);
            }

            string instanceId = $"api-{id}";
            var instance = new PipelineInstance(instanceId, input, DateTime.UtcNow);
            if (!instances.TryAdd(instanceId, instance))
            {
                throw new ProblemException(StatusCodes.Status409Conflict, "Conflict", $"an extraction with id '{id}' already exists", "id");
            }

            // Accepted work runs to the end even if the caller leaves (nothing accepted is lost).
            instance.Run = Task.Run(() => backend.RunAsync(ExtractDocumentOrchestrator.Name, instanceId, input));
            string status = $"{http.Request.Scheme}://{http.Request.Host}/api/extract/{Uri.EscapeDataString(instanceId)}";
            if (http.Request.Query["wait"] == "true")
            {
                await instance.Run;
                return Results.Json(instance.Status(), statusCode: instance.Failed ? 500 : 200);
            }

            http.Response.Headers.Location = status;
            return Results.Json(new JsonObject { ["id"] = instanceId, ["statusQueryGetUri"] = status }, statusCode: 202);
        });

        app.MapGet("/api/extract/{instanceId}", (string instanceId) =>
            instances.TryGetValue(instanceId, out PipelineInstance? instance)
                ? Results.Json(instance.Status())
                : throw new ProblemException(StatusCodes.Status404NotFound, "Not found", $"no extraction with id '{instanceId}'", "instanceId"));
    }

    /// <summary>An accepted /api/extract call and its orchestration, in Durable's status shape.</summary>
    private sealed class PipelineInstance(string id, JsonObject input, DateTime created)
    {
        public Task<(OrchestratorResult Result, List<HistoryEvent> History)> Run { get; set; } = Task.FromException<(OrchestratorResult, List<HistoryEvent>)>(new InvalidOperationException("not started"));

        public bool Failed => Run.IsFaulted || (Run.IsCompletedSuccessfully && Run.Result.Result.Failure is not null);

        public JsonObject Status()
        {
            string runtime = !Run.IsCompleted ? "Running" : Failed ? "Failed" : "Completed";
            return new JsonObject
            {
                ["name"] = ExtractDocumentOrchestrator.Name,
                ["instanceId"] = id,
                ["runtimeStatus"] = runtime,
                ["input"] = input.DeepClone(),
                ["output"] = Run.IsCompletedSuccessfully ? (Run.Result.Result.Output?.DeepClone() ?? (JsonNode?)Run.Result.Result.Failure) : Run.IsFaulted ? Run.Exception!.InnerException!.Message : null,
                ["createdTime"] = created,
            };
        }
    }
}
