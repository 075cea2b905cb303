using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Xml.Linq;

namespace PaDeLLM.Storage.Azure;

/// <summary>Sends signed requests to one storage service and turns error responses into <see cref="StorageRequestFailedException"/>.</summary>
internal sealed class StorageRestClient(HttpClient http, StorageAccount account, Uri endpoint)
{
    public const string ApiVersion = "2021-12-02";

    public Uri Endpoint { get; } = endpoint;

    public Uri Resolve(string pathAndQuery) => new($"{Endpoint.AbsoluteUri.TrimEnd('/')}/{pathAndQuery}");

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content, Action<HttpRequestMessage>? headers, CancellationToken cancel, params HttpStatusCode[] expected)
    {
        using var request = new HttpRequestMessage(method, Resolve(pathAndQuery)) { Content = content };
        request.Headers.Add("x-ms-date", DateTime.UtcNow.ToString("R", CultureInfo.InvariantCulture));
        request.Headers.Add("x-ms-version", ApiVersion);
        headers?.Invoke(request);
        if (content is not null && content.Headers.ContentLength is null)
        {
            content.Headers.ContentLength = (await content.ReadAsByteArrayAsync(cancel)).Length;
        }

        if (account.Key is byte[] key)
        {
            SharedKeySigner.Sign(request, account.Name, key);
        }
        else if (account.TokenProvider is { } tokens)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens(cancel));
        }

        HttpResponseMessage response = await http.SendAsync(request, cancel);
        if (expected.Contains(response.StatusCode))
        {
            return response;
        }

        using (response)
        {
            string body = await response.Content.ReadAsStringAsync(cancel);
            string code = response.Headers.TryGetValues("x-ms-error-code", out var codes) ? codes.First() : ErrorCode(body) ?? "";
            throw new StorageRequestFailedException(method.Method, request.RequestUri!, response.StatusCode, code, ErrorMessage(body));
        }
    }

    private static string? ErrorCode(string body) => TryXml(body)?.Element("Code")?.Value;

    private static string ErrorMessage(string body) => TryXml(body)?.Element("Message")?.Value.Split('\n')[0] ?? (body.Length > 200 ? body[..200] : body);

    private static XElement? TryXml(string body)
    {
        try
        {
            return body.Length == 0 ? null : XElement.Parse(body);
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }
}

/// <summary>A storage request answered with an unexpected status: the operation, the status and the service's error code.</summary>
public sealed class StorageRequestFailedException(string method, Uri uri, HttpStatusCode status, string errorCode, string message)
    : Exception($"{method} {uri.GetLeftPart(UriPartial.Path)}: {(int)status} {errorCode}: {message}")
{
    public HttpStatusCode Status { get; } = status;

    public string ErrorCode { get; } = errorCode;
}
