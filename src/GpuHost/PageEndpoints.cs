using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace PaDeLLM.GpuHost;

/// <summary>
/// The try-it page at <c>GET /</c>: one HTML file, its stylesheet and script, embedded in this
/// assembly (src/GpuHost/Page) so the binary serves them with no build step and nothing from outside.
/// The page holds no data: it calls <c>/v1/labels</c> and <c>/v1/extract</c> like any client, with
/// the API key when the host has one, so it is served without the key (<see cref="ApiKeyMiddleware"/>).
/// </summary>
public static class PageEndpoints
{
    // Only the host itself: the page's script, style and calls; no inline code, no framing.
    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        + "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, (string Resource, string ContentType)> Files =
        new Dictionary<string, (string, string)>
        {
            ["/"] = ("index.html", "text/html; charset=utf-8"),
            ["/page.css"] = ("page.css", "text/css; charset=utf-8"),
            ["/page.js"] = ("page.js", "text/javascript; charset=utf-8"),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Whether a request is for the page (a GET of one of its files).</summary>
    public static bool IsPageRequest(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Value is string path && Files.ContainsKey(path);

    public static IEndpointRouteBuilder MapPage(this IEndpointRouteBuilder app)
    {
        foreach ((string path, (string resource, string contentType)) in Files)
        {
            byte[] content = Read(resource);
            app.MapGet(path, (HttpContext http) =>
            {
                IHeaderDictionary headers = http.Response.Headers;
                headers.ContentSecurityPolicy = Policy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";

                // Revalidated on every load, so a new binary's page is never mixed with an old script.
                headers.CacheControl = "no-cache";
                return Results.Bytes(content, contentType);
            });
        }

        return app;
    }

    private static byte[] Read(string name)
    {
        System.Reflection.Assembly assembly = typeof(PageEndpoints).Assembly;
        using Stream stream = assembly.GetManifestResourceStream($"PaDeLLM.GpuHost.Page.{name}")
            ?? throw new InvalidOperationException($"the page's {name} is not embedded in {assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
