using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PaDeLLM.Model.Inference;

namespace PaDeLLM.GpuHost;

/// <summary>
/// Every exception a request ends in, as problem details: the caller's mistakes as 4xx naming
/// the field, a full decode queue as 429 with Retry-After, shutdown as 503, and a bug as a 500
/// that says no more than the exception's type (the rest goes to the log).
/// </summary>
public sealed partial class ProblemExceptionHandler(
    IProblemDetailsService problems, IOptions<GpuHostOptions> options, ILogger<ProblemExceptionHandler> log)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(
        HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        HttpContext http = httpContext;
        if (http.RequestAborted.IsCancellationRequested && exception is OperationCanceledException)
        {
            return true; // the client went away; nothing to answer
        }

        (int status, string title, string detail, string? field) = exception switch
        {
            ProblemException p => (p.Status, p.Title, p.Message, p.Field),
            BatcherFullException e => (StatusCodes.Status429TooManyRequests, "Too many requests", e.Message, null),
            Tokenizers.TokenizerException e =>
                (StatusCodes.Status422UnprocessableEntity, "Text cannot be tokenized", e.Message, "text"),
            ContextLengthExceededException e =>
                (StatusCodes.Status413PayloadTooLarge, "Text too long for the model", e.Message, "text"),
            BadHttpRequestException e => (e.StatusCode, "Bad request", e.Message, "body"),
            ObjectDisposedException or OperationCanceledException =>
                (StatusCodes.Status503ServiceUnavailable, "Shutting down",
                    "the host is shutting down; retry on another instance", null),
            _ => (StatusCodes.Status500InternalServerError, "Internal error",
                $"the host failed to answer: {exception.GetType().Name}", null),
        };
        if (status >= 500 && status != StatusCodes.Status503ServiceUnavailable)
        {
            LogUnhandled(log, exception, http.Request.Path);
        }

        if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
        {
            http.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        await Write(problems, http, status, title, detail, field);
        return true;
    }

    /// <summary>Writes one problem+json answer; <paramref name="field"/> names the request field at fault.</summary>
    public static ValueTask Write(
        IProblemDetailsService problems, HttpContext http, int status, string title, string detail, string? field)
    {
        http.Response.StatusCode = status;
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Instance = http.Request.Path.Value,
        };
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }

        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "unhandled error on {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string path);
}
