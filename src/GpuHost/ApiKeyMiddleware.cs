using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace PaDeLLM.GpuHost;

/// <summary>
/// With a key configured, every call but the probes, /metrics and the try-it page's files
/// (<see cref="PageEndpoints"/>, which hold no data and send the key on their own API calls) needs it in
/// <c>x-api-key</c>.
/// Compared in constant time, so the answer's timing says nothing about how much of a guess was right.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<GpuHostOptions> options)
{
    private readonly byte[]? _key = options.Value.ApiKey is string k ? Encoding.UTF8.GetBytes(k) : null;

    public Task InvokeAsync(HttpContext http)
    {
        if (_key is null || http.Request.Path.StartsWithSegments("/healthz")
            || http.Request.Path.StartsWithSegments("/readyz")
            || http.Request.Path.StartsWithSegments("/metrics")
            || PageEndpoints.IsPageRequest(http.Request))
        {
            return next(http);
        }

        byte[] given = Encoding.UTF8.GetBytes(http.Request.Headers["x-api-key"].ToString());
        return CryptographicOperations.FixedTimeEquals(given, _key)
            ? next(http)
            : throw new ProblemException(StatusCodes.Status401Unauthorized, "Unauthorized",
                "a valid x-api-key header is required", "x-api-key");
    }
}
