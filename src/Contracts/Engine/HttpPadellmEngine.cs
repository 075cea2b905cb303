using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Contracts.Engine;

/// <summary>
/// The count and mention steps on a GPU host over HTTP (<c>/v1/count</c>, <c>/v1/mention</c>).
/// Each attempt has a timeout; 429 and 5xx answers, timeouts and connection failures are
/// retried with exponential backoff and full jitter (a 429's Retry-After is honoured); a 4xx
/// is the caller's mistake and fails at once with the host's problem detail.
/// </summary>
public sealed class HttpPadellmEngine(HttpClient http, Uri baseAddress, string? apiKey = null) : IPadellmEngine
{
    public string ModelName { get; private set; } = "remote";

    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public int MaxAttempts { get; init; } = 5;

    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Attempts that were retried (for tests and logs).</summary>
    public int Retries { get; private set; }

    public async Task<IReadOnlyList<CountAnswer>> CountAsync(
        string text, LabelSchema schema, CancellationToken cancel = default)
    {
        CountResponse r = await PostAsync("v1/count", new CountRequest(text, SchemaSpec.From(schema)),
            PipelineJson.Default.CountRequest, PipelineJson.Default.CountResponse, cancel);
        ModelName = r.Model;
        return r.Counts;
    }

    public Task<MentionAnswer> MentionAsync(
        string text, LabelSchema schema, MentionCall call, CancellationToken cancel = default) =>
        PostAsync("v1/mention", MentionRequest.For(text, SchemaSpec.From(schema), call),
            PipelineJson.Default.MentionRequest, PipelineJson.Default.MentionAnswer, cancel);

    private async Task<TOut> PostAsync<TIn, TOut>(
        string path, TIn body, JsonTypeInfo<TIn> write, JsonTypeInfo<TOut> read, CancellationToken cancel)
    {
        string json = JsonSerializer.Serialize(body, write);
        for (int attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            string failure;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(AttemptTimeout);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, path))
                {
                    Content = new StringContent(json, Encoding.UTF8, "application/json"),
                };
                if (apiKey is not null)
                {
                    request.Headers.Add("x-api-key", apiKey);
                }

                using HttpResponseMessage response = await http.SendAsync(request, timeout.Token);
                string text = await response.Content.ReadAsStringAsync(timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return JsonSerializer.Deserialize(text, read)
                        ?? throw new InvalidDataException($"{path}: empty answer");
                }

                string detail = Detail(text);
                if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    throw new GpuHostRequestException(
                        response.StatusCode, $"{path}: {(int)response.StatusCode} {detail}");
                }

                retryAfter = response.Headers.RetryAfter?.Delta;
                failure = $"{(int)response.StatusCode} {detail}";
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                failure = $"no answer within {AttemptTimeout.TotalSeconds:F0} s";
            }
            catch (HttpRequestException e)
            {
                failure = e.Message;
            }

            if (attempt >= MaxAttempts)
            {
                throw new GpuHostRequestException(null, $"{path}: failed after {attempt} attempts: {failure}");
            }

            Retries++;
            double cap = FirstBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1);
            TimeSpan wait = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * cap);
            await Task.Delay(retryAfter is TimeSpan ra && ra > wait ? ra : wait, cancel);
        }
    }

    private static string Detail(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("detail", out JsonElement d) && d.ValueKind == JsonValueKind.String
                ? d.GetString()!
                : body;
        }
        catch (JsonException)
        {
            return body.Length > 200 ? body[..200] : body;
        }
    }
}

/// <summary>The GPU host refused a call (a 4xx), or kept failing through every retry.</summary>
public sealed class GpuHostRequestException(HttpStatusCode? status, string message) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;
}
