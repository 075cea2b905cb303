using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace PaDeLLM.Functions.Durable;

/// <summary>
/// The durableClient binding's payload (task hub, creation and management URL templates),
/// used to start instances and read their status through the Durable extension's HTTP API.
/// </summary>
public sealed class DurableClient(JsonObject payload, HttpClient http)
{
    public string TaskHub => (string?)payload["taskHubName"] ?? "";

    /// <summary>Starts <paramref name="orchestrator"/> (with an instance id, or one the extension picks) and returns the management payload.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> StartNewAsync(string orchestrator, string? instanceId, JsonNode? input, CancellationToken cancel = default)
    {
        string template = (string?)payload["creationUrls"]?["createNewInstancePostUri"] ?? throw new ArgumentException("durableClient payload has no creationUrls.createNewInstancePostUri");
        string url = template
            .Replace("{functionName}", Uri.EscapeDataString(orchestrator), StringComparison.Ordinal)
            .Replace("[/{instanceId}]", instanceId is null ? "" : "/" + Uri.EscapeDataString(instanceId), StringComparison.Ordinal);
        using var content = new StringContent(input?.ToJsonString() ?? "null", Encoding.UTF8, "application/json");
        using HttpResponseMessage r = await http.PostAsync(url, content, cancel);
        string body = await r.Content.ReadAsStringAsync(cancel);
        return (r.StatusCode, body.Length == 0 ? null : JsonNode.Parse(body));
    }

    /// <summary>The instance's status (Durable's shape), or 404.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> GetStatusAsync(string instanceId, CancellationToken cancel = default)
    {
        JsonNode urls = payload["managementUrls"] ?? throw new ArgumentException("durableClient payload has no managementUrls");
        string placeholder = (string?)urls["id"] ?? "INSTANCEID";
        string url = ((string?)urls["statusQueryGetUri"] ?? throw new ArgumentException("durableClient payload has no managementUrls.statusQueryGetUri"))
            .Replace(placeholder, Uri.EscapeDataString(instanceId), StringComparison.Ordinal);
        using HttpResponseMessage r = await http.GetAsync(url, cancel);
        string body = await r.Content.ReadAsStringAsync(cancel);
        return (r.StatusCode, body.Length == 0 ? null : JsonNode.Parse(body));
    }
}
