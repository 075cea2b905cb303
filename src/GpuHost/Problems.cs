using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace PaDeLLM.GpuHost;

/// <summary>A request the host refuses: an HTTP status and what is wrong, written as RFC 9457 problem details naming the field.</summary>
public sealed class ProblemException(int status, string title, string detail, string? field = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Field { get; } = field;

    public static ProblemException BadRequest(string field, string detail) => new(StatusCodes.Status400BadRequest, "Invalid request", detail, field);
}

/// <summary>Writes <c>application/problem+json</c> bodies.</summary>
public static class Problems
{
    public static Task WriteAsync(HttpContext http, int status, string title, string detail, string? field = null, IDictionary<string, string>? headers = null)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/problem+json";
        foreach (var h in headers ?? new Dictionary<string, string>())
        {
            http.Response.Headers[h.Key] = h.Value;
        }

        var body = new JsonObject
        {
            ["type"] = "about:blank",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = http.Request.Path.Value,
        };
        if (field is not null)
        {
            body["field"] = field;
        }

        return http.Response.WriteAsync(body.ToJsonString(), http.RequestAborted);
    }
}
