using System.Text.Json.Nodes;

namespace PaDeLLM.Functions;

/// <summary>
/// Bearer tokens from the App Service / Functions managed identity endpoint
/// (<c>IDENTITY_ENDPOINT</c> + <c>IDENTITY_HEADER</c>), cached until five minutes before expiry.
/// A small stand-in for Azure.Identity's ManagedIdentityCredential.
/// </summary>
public sealed class ManagedIdentityToken(HttpClient http, string resource, string? clientId) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Token, DateTimeOffset Expires)? _cached;

    public void Dispose() => _gate.Dispose();

    public async ValueTask<string> GetAsync(CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel);
        try
        {
            if (_cached is { } c && c.Expires > DateTimeOffset.UtcNow.AddMinutes(5))
            {
                return c.Token;
            }

            string endpoint = Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT") ?? throw new InvalidOperationException("IDENTITY_ENDPOINT is not set: no managed identity here");
            string url = $"{endpoint}?resource={Uri.EscapeDataString(resource)}&api-version=2019-08-01" + (clientId is null ? "" : $"&client_id={Uri.EscapeDataString(clientId)}");
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("X-IDENTITY-HEADER", Environment.GetEnvironmentVariable("IDENTITY_HEADER") ?? "");
            using HttpResponseMessage r = await http.SendAsync(request, cancel);
            r.EnsureSuccessStatusCode();
            JsonNode body = JsonNode.Parse(await r.Content.ReadAsStringAsync(cancel))!;
            string token = (string)body["access_token"]!;
            long expiresOn = long.Parse((string?)body["expires_on"] ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            _cached = (token, DateTimeOffset.FromUnixTimeSeconds(expiresOn));
            return token;
        }
        finally
        {
            _gate.Release();
        }
    }
}
