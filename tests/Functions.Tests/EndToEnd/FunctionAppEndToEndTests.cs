using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using PaDeLLM.Extraction;
using PaDeLLM.Functions.Triggers;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Tokenizers;
using Xunit;
using Xunit.Abstractions;

namespace PaDeLLM.Functions.Tests.EndToEnd;

/// <summary>
/// The Function app under the real Functions host and Durable over Azurite: every way in (HTTP,
/// corpus blob, ingestion queue) ends in the same results as the in-process extractor.
/// </summary>
public sealed class FunctionAppEndToEndTests(FunctionsHost host, ITestOutputHelper output)
    : IClassFixture<FunctionsHost>
{
    private const string Text = "EU rejects German call to boycott British lamb .";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static readonly Lazy<ResultDocument> Expected = new(ExtractInProcess);

    [FunctionsHostFact]
    public async Task ApiExtractAnswers202ThenTheSameEntitiesAsTheInProcessExtractor()
    {
        output.WriteLine(host.Timings);
        for (int i = 0; i < 50 && host.StartupLine is null; i++)
        {
            await Task.Delay(100); // the host relays the worker's console asynchronously
        }

        const string Started = "model conll03-en, labels conll03 [ORG MISC PER LOC]";
        Assert.Contains(Started, host.StartupLine, StringComparison.Ordinal);
        using HttpResponseMessage accepted =
            await PostAsync("api/extract", $"{{\"id\":\"e2e-1\",\"text\":\"{Text}\"}}");
        string body = await accepted.Content.ReadAsStringAsync();
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, $"{accepted.StatusCode}: {body}\n{host.Tail()}");
        JsonElement urls = JsonDocument.Parse(body).RootElement;
        var statusUri = new Uri(urls.GetProperty("statusQueryGetUri").GetString()!);
        Assert.Equal(statusUri, accepted.Headers.Location);
        Assert.StartsWith(host.BaseAddress.ToString(), statusUri.ToString(), StringComparison.Ordinal);

        JsonElement status = await host.WaitForInstanceAsync(statusUri, Limit);
        Assert.True(status.GetProperty("runtimeStatus").GetString() == "Completed", $"{status}\n{host.Tail()}");
        AssertSameEntities(Expected.Value, status.GetProperty("output"));

        // The result blob holds the same document.
        JsonElement blob = await WaitForBlobAsync("results", "api/e2e-1.json");
        AssertSameEntities(Expected.Value, blob);
        Assert.Equal("e2e-1", blob.GetProperty("id").GetString());
    }

    [FunctionsHostFact]
    public async Task ResubmittingAnIdIsAnsweredFromItsInstanceAndAnotherTextUnderItIsAConflict()
    {
        string doc = $"{{\"id\":\"e2e-2\",\"text\":\"{Text}\"}}";
        using HttpResponseMessage done = await PostAsync("api/extract?wait=true", doc);
        string body = await done.Content.ReadAsStringAsync();
        Assert.True(done.StatusCode == HttpStatusCode.OK, $"{done.StatusCode}: {body}\n{host.Tail()}");
        AssertSameEntities(Expected.Value, JsonDocument.Parse(body).RootElement);

        using HttpResponseMessage again = await PostAsync("api/extract", doc);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);

        using HttpResponseMessage conflict =
            await PostAsync("api/extract", "{\"id\":\"e2e-2\",\"text\":\"Another text .\"}");
        await AssertProblemAsync(conflict, HttpStatusCode.Conflict, "id");
    }

    [FunctionsHostFact]
    public async Task AnIdWithCharactersToEscapeStillHasAWorkingStatusUrl()
    {
        // Its result blob escapes the id (api/e2e%203%2Fx.json); the status URL must still find the instance.
        using HttpResponseMessage accepted =
            await PostAsync("api/extract", $"{{\"id\":\"e2e 3/x\",\"text\":\"{Text}\"}}");
        string body = await accepted.Content.ReadAsStringAsync();
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, $"{accepted.StatusCode}: {body}\n{host.Tail()}");
        var statusUri = new Uri(JsonDocument.Parse(body).RootElement.GetProperty("statusQueryGetUri").GetString()!);
        JsonElement status = await host.WaitForInstanceAsync(statusUri, Limit);
        Assert.Equal("e2e 3/x", status.GetProperty("output").GetProperty("id").GetString());
        JsonElement blob = await WaitForBlobAsync("results", "api/e2e%203%2Fx.json");
        Assert.Equal("e2e 3/x", blob.GetProperty("id").GetString());
    }

    [FunctionsHostFact]
    public async Task RefusalsAreProblemDetailsNamingTheField()
    {
        using HttpResponseMessage notJson = await PostAsync("api/extract", "not json");
        await AssertProblemAsync(notJson, HttpStatusCode.BadRequest, "body");
        using HttpResponseMessage empty = await PostAsync("api/extract", "{\"text\":\"  \"}");
        await AssertProblemAsync(empty, HttpStatusCode.BadRequest, "text");
        using HttpResponseMessage badId = await PostAsync("api/extract", "{\"id\":7,\"text\":\"x\"}");
        await AssertProblemAsync(badId, HttpStatusCode.BadRequest, "id");
        using HttpResponseMessage label = await PostAsync("api/extract", "{\"text\":\"x\",\"labels\":[\"DATE\"]}");
        await AssertProblemAsync(label, HttpStatusCode.BadRequest, "labels");
        using HttpResponseMessage large = await PostAsync("api/extract", $"{{\"text\":\"{new string('a', 8_193)}\"}}");
        await AssertProblemAsync(large, HttpStatusCode.RequestEntityTooLarge, "text");
    }

    [FunctionsHostFact]
    public async Task ACorpusBlobYieldsAResultPerLineAndAManifest()
    {
        BlobContainerClient corpus =
            new BlobServiceClient(host.Storage.ConnectionString).GetBlobContainerClient("corpus");
        await corpus.CreateIfNotExistsAsync();
        // Three documents and a broken line: two ProcessCorpus generations of FunctionsHost.CorpusChunkSize.
        string lines = $"{{\"id\":\"a\",\"text\":\"{Text}\"}}\n\"Peter Blackburn\"\nnot json\n"
            + $"{{\"id\":\"c\",\"text\":\"{Text}\"}}\n";
        await corpus.UploadBlobAsync("news/day-1.jsonl", BinaryData.FromString(lines));
        string instanceId = CorpusBlobFunction.InstanceId("news/day-1.jsonl", Encoding.UTF8.GetBytes(lines));

        JsonElement manifest = await WaitForBlobAsync("results", "news/day-1/manifest.json");
        Assert.True(FunctionsHost.CorpusChunkSize < 3);
        Assert.Equal(3, manifest.GetProperty("documents").GetInt32());
        Assert.Equal(3, manifest.GetProperty("succeeded").GetInt32());
        Assert.Equal(1, manifest.GetProperty("failed").GetInt32());
        JsonElement failure = Assert.Single(manifest.GetProperty("failures").EnumerateArray());
        Assert.Equal(3, failure.GetProperty("line").GetInt32());
        Assert.Contains("news/day-1.jsonl:3", failure.GetProperty("error").GetString(), StringComparison.Ordinal);
        foreach (string id in new[] { "a", "c" })
        {
            JsonElement result = await WaitForBlobAsync("results", $"news/day-1/{id}.json");
            AssertSameEntities(Expected.Value, result);
            Assert.Equal(id, result.GetProperty("id").GetString());
        }

        JsonElement second = await WaitForBlobAsync("results", "news/day-1/2.json"); // a bare string: its line number
        Assert.Equal("Peter Blackburn", second.GetProperty("text").GetString());

        // The instance the blob trigger named continued as new after its first chunk and completed with the manifest.
        JsonElement status = await host.WaitForInstanceAsync(host.InstanceUri(instanceId), Limit);
        Assert.True(status.GetProperty("runtimeStatus").GetString() == "Completed", $"{status}\n{host.Tail()}");
        JsonElement progress = status.GetProperty("input").GetProperty("progress");
        Assert.Equal(FunctionsHost.CorpusChunkSize, progress.GetProperty("next").GetInt32());
        Assert.Equal(3, status.GetProperty("output").GetProperty("succeeded").GetInt32());
    }

    [FunctionsHostFact]
    public async Task AnIngestMessageYieldsItsResult()
    {
        QueueClient queue = Queue("ingest");
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync($"{{\"id\":\"q-1\",\"text\":\"{Text}\"}}");

        JsonElement result = await WaitForBlobAsync("results", "ingest/q-1.json");
        AssertSameEntities(Expected.Value, result);
        Assert.Equal("q-1", result.GetProperty("id").GetString());

        // Without an id of its own, a document is named by its message's id.
        SendReceipt sent = (await queue.SendMessageAsync($"{{\"text\":\"{Text}\"}}")).Value;
        JsonElement unnamed = await WaitForBlobAsync("results", $"ingest/{sent.MessageId}.json");
        Assert.Equal(sent.MessageId, unnamed.GetProperty("id").GetString());
    }

    [FunctionsHostFact]
    public async Task AnUnreadableIngestMessageEndsInThePoisonQueue()
    {
        QueueClient queue = Queue("ingest");
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("not json");

        QueueClient poison = Queue("ingest-poison");
        DateTime deadline = DateTime.UtcNow + Limit;
        while (DateTime.UtcNow < deadline)
        {
            if ((await poison.ExistsAsync()).Value)
            {
                PeekedMessage[] messages = (await poison.PeekMessagesAsync(32)).Value;
                if (messages.Any(m => m.Body.ToString() == "not json"))
                {
                    return;
                }
            }

            await Task.Delay(500);
        }

        Assert.Fail($"'not json' did not reach ingest-poison within {Limit.TotalSeconds:F0} s\n{host.Tail()}");
    }

    private QueueClient Queue(string name) =>
        new(host.Storage.ConnectionString, name,
            new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    private async Task<HttpResponseMessage> PostAsync(string pathAndQuery, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await host.Http.PostAsync(host.Api(pathAndQuery), content);
    }

    private async Task<JsonElement> WaitForBlobAsync(string container, string name)
    {
        BlobClient blob = new BlobServiceClient(host.Storage.ConnectionString)
            .GetBlobContainerClient(container).GetBlobClient(name);
        DateTime deadline = DateTime.UtcNow + Limit;
        while (DateTime.UtcNow < deadline)
        {
            if ((await blob.ExistsAsync()).Value)
            {
                BinaryData content = (await blob.DownloadContentAsync()).Value.Content;
                return JsonDocument.Parse(content.ToString()).RootElement.Clone();
            }

            await Task.Delay(500);
        }

        throw new Xunit.Sdk.XunitException(
            $"{container}/{name} did not appear within {Limit.TotalSeconds:F0} s\n{host.Tail()}");
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    // Same spans in the same order; probabilities agree to 1e-4 (the host batches decoding differently).
    private static void AssertSameEntities(ResultDocument expected, JsonElement actual)
    {
        Assert.NotEmpty(expected.Entities); // else the comparison would prove nothing
        JsonElement[] entities = [.. actual.GetProperty("entities").EnumerateArray()];
        Assert.Equal(
            expected.Entities.Select(e => (e.Label, e.Text, e.Start, e.End)),
            entities.Select(e => (e.GetProperty("label").GetString()!, e.GetProperty("text").GetString()!,
                e.GetProperty("start").GetInt32(), e.GetProperty("end").GetInt32())));
        for (int i = 0; i < entities.Length; i++)
        {
            Assert.Equal(expected.Entities[i].Probability, entities[i].GetProperty("probability").GetDouble(), 1e-4);
        }
    }

    private static ResultDocument ExtractInProcess()
    {
        string dir = FunctionsHost.ModelDir;
        LabelSchema schema = LabelSchemaFile.ForModel(dir)
            ?? throw new InvalidOperationException($"{dir} has no labels.json");
        return new PadellmExtractor(DecoderModel.Load(dir), TokenizerLoader.Load(dir)).Extract(Text, schema);
    }
}
