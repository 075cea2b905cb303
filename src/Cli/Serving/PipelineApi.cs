using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.GpuHost;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Orchestrations;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Worker;

namespace PaDeLLM.Cli.Serving;

/// <summary>
/// <c>padellm serve</c>'s pipeline API, with the Function app's contract: <c>POST /api/extract</c>
/// <c>{"id"?, "text", "labels"?}</c> schedules ExtractDocument on the embedded Durable engine and
/// answers 202 with a status URL (or, with <c>?wait=true</c>, the result document once done). A start is
/// accepted only while fewer than <see cref="MaxPending"/> are unfinished, so accepted work is
/// never dropped by a full decode queue; beyond it the caller gets 429 with Retry-After. An id
/// reused for another text is a 409. Finished instances are forgotten oldest first beyond
/// <see cref="MaxRetained"/>, so the host's state stays bounded.
/// </summary>
internal sealed class PipelineApi(DurablePipeline pipeline, IBlobContainer? results, Uri publicBase) : IHostExtension
{
    private readonly ConcurrentQueue<string> _finished = new();
    private int _pending;

    public int MaxPending { get; init; } = 256;

    public int MaxRetained { get; init; } = 10_000;

    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>How long <c>?wait=true</c> waits before answering 202 instead.</summary>
    public TimeSpan WaitLimit { get; init; } = TimeSpan.FromSeconds(60);

    public void ConfigureServices(IServiceCollection services)
    {
    }

    public void Map(WebApplication app)
    {
        app.MapPost("/api/extract", async (HttpContext http, RequestReader reader) =>
        {
            ExtractBody body = await reader.ExtractAsync(http.Request);
            string id = body.Id ?? Guid.NewGuid().ToString("N");
            string instanceId = InstanceIds.For("api-", id);
            if (await pipeline.GetAsync<ResultDocument>(instanceId) is { } existing)
            {
                ExtractDocumentInput? earlier = existing.Input is string json
                    ? (ExtractDocumentInput?)PipelineDataConverter.Instance.Deserialize(
                        json, typeof(ExtractDocumentInput))
                    : null;
                if (earlier is not null && earlier.Text != body.Text)
                {
                    throw Conflict(id);
                }
            }
            else
            {
                await StartAsync(id, instanceId, body, http.RequestAborted);
            }

            // As Durable's wait-for-completion: the result itself when done in time, else the 202 below.
            if (http.Request.Query["wait"] == "true")
            {
                InstanceOutcome<ResultDocument> done =
                    await pipeline.WaitAsync<ResultDocument>(instanceId, WaitLimit, http.RequestAborted);
                if (done.Completed)
                {
                    return Results.Json(done.Output, PipelineJson.Default.ResultDocument);
                }

                if (done.Finished)
                {
                    throw new ProblemException(
                        StatusCodes.Status500InternalServerError, "Extraction failed", done.Failure ?? done.Status);
                }
            }

            string status = new Uri(publicBase, $"api/extract/{Uri.EscapeDataString(instanceId)}").AbsoluteUri;
            http.Response.Headers.Location = status;
            return Results.Json(
                new PipelineAccepted(instanceId, status), PipelineJson.Default.PipelineAccepted, statusCode: 202);
        });

        app.MapGet("/api/extract/{instanceId}", async (string instanceId) =>
            await pipeline.GetAsync<ResultDocument>(instanceId) is { } outcome
                ? Results.Json(Status(outcome), PipelineJson.Default.PipelineStatus)
                : throw new ProblemException(
                    StatusCodes.Status404NotFound, "Not found", $"no extraction with id '{instanceId}'", "instanceId"));
    }

    private async Task StartAsync(string id, string instanceId, ExtractBody body, CancellationToken cancel)
    {
        // After a restart the instance is gone but its result blob is not: the id is taken by that text.
        string name = ResultNames.For("api/", id);
        if (results is not null && await results.GetAsync(name, cancel) is byte[] earlier
            && JsonSerializer.Deserialize(earlier, PipelineJson.Default.ResultDocument)?.Text != body.Text)
        {
            throw Conflict(id);
        }

        if (Interlocked.Increment(ref _pending) > MaxPending)
        {
            Interlocked.Decrement(ref _pending);
            throw new ProblemException(StatusCodes.Status429TooManyRequests, "Too many requests",
                $"{MaxPending} extractions are unfinished; retry in {RetryAfterSeconds} s");
        }

        try
        {
            BlobRef? output = results is null ? null : new BlobRef(BlobContainers.NameOf(results), name);
            var input = new ExtractDocumentInput(id, body.Text, SchemaSpec.From(body.Schema), output);
            await pipeline.ScheduleAsync(TaskNames.ExtractDocument, instanceId, input);
        }
        catch
        {
            Interlocked.Decrement(ref _pending);
            throw;
        }

        // Accepted work runs to its end whether or not the caller stays; then it counts against retention.
        _ = Task.Run(async () =>
        {
            try
            {
                await pipeline.WaitAsync<ResultDocument>(instanceId, TimeSpan.FromDays(1));
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
                _finished.Enqueue(instanceId);
                while (_finished.Count > MaxRetained && _finished.TryDequeue(out string? oldest))
                {
                    await pipeline.PurgeAsync(oldest);
                }
            }
        }, CancellationToken.None);
    }

    private static ProblemException Conflict(string id) =>
        new(StatusCodes.Status409Conflict, "Conflict",
            $"an extraction with id '{id}' exists for a different text", "id");

    private static PipelineStatus Status(InstanceOutcome<ResultDocument> o) =>
        new(o.Name, o.InstanceId, o.Status, o.Output, o.Failure, o.Created, o.LastUpdated);
}
