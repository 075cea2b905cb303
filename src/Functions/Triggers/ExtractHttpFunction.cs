using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Documents;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Functions.Configuration;
using PaDeLLM.Orchestrations;

namespace PaDeLLM.Functions.Triggers;

/// <summary>
/// <c>POST api/extract</c> <c>{"id"?, "text", "labels"?}</c>: schedules ExtractDocument (instance
/// <c>api-{id}</c>, result blob <c>results/api/{id}.json</c>) and answers 202 with Durable's
/// status URLs, or with <c>?wait=true</c> the result itself when it is done within a minute.
/// Posting the same document again is answered from the same instance; another text under an id
/// already taken is a 409. Refusals are problem+json naming the field.
/// </summary>
public sealed class ExtractHttpFunction(
    PipelineSchema schema, IOptions<PadellmFunctionsOptions> options, ILogger<ExtractHttpFunction> logger)
{
    public const string Name = "ExtractHttpStart";

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    [Function(Name)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "extract")] HttpRequest req,
        [DurableClient] DurableTaskClient client,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(req);
        ArgumentNullException.ThrowIfNull(client);
        CancellationToken cancel = req.HttpContext.RequestAborted;
        PadellmFunctionsOptions settings = options.Value;

        // JSON may spell each character as a 6-byte \uXXXX; anything past that is no valid request.
        long limit = (settings.MaxTextChars * 6L) + (64 * 1024);
        string? body = req.ContentLength > limit ? null : await ReadAsync(req.Body, limit, cancel);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Document too large",
                new DocumentProblem("body", $"the body is larger than {limit:N0} bytes", TooLarge: true));
        }

        (ExtractRequest? request, DocumentProblem? problem) =
            ExtractRequest.Parse(body, schema, settings.MaxTextChars);
        if (request is null)
        {
            return problem!.TooLarge
                ? Problem(StatusCodes.Status413PayloadTooLarge, "Document too large", problem)
                : Problem(StatusCodes.Status400BadRequest, "Invalid request", problem);
        }

        string id = request.Id ?? Guid.NewGuid().ToString("N");
        string instanceId = InstanceIds.For("api-", id);
        var input = new ExtractDocumentInput(id, request.Text, request.Schema,
            new BlobRef(settings.ResultsContainer, ResultNames.For(AppNames.ApiResultsPrefix, id)));
        if (await ScheduleOrConflictAsync(client, instanceId, input, cancel) is IResult conflict)
        {
            return conflict;
        }

        if (req.Query.TryGetValue("wait", out var wait) && bool.TryParse(wait, out bool w) && w
            && await WaitAsync(client, instanceId, cancel) is IResult done)
        {
            return done;
        }

        // URLs from the request as the caller sent it (forwarded headers included), not the host's idea of its name.
        var urls = StatusUrls.For(client, instanceId, await context.GetHttpRequestDataAsync());
        req.HttpContext.Response.Headers.Location = (string?)urls["statusQueryGetUri"];
        return Results.Json(urls, statusCode: StatusCodes.Status202Accepted);
    }

    // Schedules the instance unless the same document is already there; a 409 when another is.
    private async Task<IResult?> ScheduleOrConflictAsync(
        DurableTaskClient client, string instanceId, ExtractDocumentInput input, CancellationToken cancel)
    {
        if (await OrchestrationStarts.StartOnceAsync(
            client, TaskNames.ExtractDocument, instanceId, input, cancel) is null)
        {
            Log.Scheduled(logger, TaskNames.ExtractDocument, instanceId, "api/extract");
            return null;
        }

        OrchestrationMetadata? existing = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancel);
        if (existing is null || Same(existing.ReadInputAs<ExtractDocumentInput>(), input))
        {
            return null;
        }

        string state = existing.RuntimeStatus.ToString().ToLowerInvariant();
        return Problem(StatusCodes.Status409Conflict, "Id already taken",
            new DocumentProblem("id", $"id '{input.Id}' is already {state} with another document"));
    }

    private static bool Same(ExtractDocumentInput? a, ExtractDocumentInput b) =>
        a is not null && a.Text == b.Text
        && a.Schema.Labels.Select(l => l.Key)
            .SequenceEqual(b.Schema.Labels.Select(l => l.Key), StringComparer.Ordinal);

    // The finished result (200), its failure (500), or null to answer 202 when it takes longer.
    private static async Task<IResult?> WaitAsync(
        DurableTaskClient client, string instanceId, CancellationToken cancel)
    {
        DateTime deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline && !cancel.IsCancellationRequested)
        {
            OrchestrationMetadata? m = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancel);
            switch (m?.RuntimeStatus)
            {
                case OrchestrationRuntimeStatus.Completed:
                    return Results.Text(m.SerializedOutput ?? "null", "application/json", Encoding.UTF8);
                case OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated:
                    return Results.Problem(
                        detail: m.FailureDetails?.ErrorMessage ?? $"the extraction was {m.RuntimeStatus}",
                        statusCode: StatusCodes.Status500InternalServerError, title: "Extraction failed");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancel);
        }

        return null;
    }

    private IResult Problem(int status, string title, DocumentProblem problem)
    {
        Log.Refused(logger, status, problem.Field, problem.Detail);
        return Results.Problem(detail: problem.Detail, statusCode: status, title: title,
            extensions: new Dictionary<string, object?> { ["field"] = problem.Field });
    }

    // The body, or null past the limit (read no further: a huge body is refused, not buffered).
    private static async Task<string?> ReadAsync(Stream body, long limit, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int n;
        while ((n = await body.ReadAsync(chunk, cancel)) > 0)
        {
            if (buffer.Length + n > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, n);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
