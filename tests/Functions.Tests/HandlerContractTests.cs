using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PaDeLLM.Activities;
using PaDeLLM.Extraction;
using PaDeLLM.Functions.Durable;
using PaDeLLM.Functions.Handler;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Orchestrations.Extraction;
using PaDeLLM.Orchestrations.Runtime;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Tests;
using Xunit;
using P = PaDeLLM.Functions.Durable.Protocol;

namespace PaDeLLM.Functions.Tests;

/// <summary>
/// Host-shaped envelopes posted to the handler through Kestrel on loopback, with a stand-in for
/// the Durable extension's HTTP API on another loopback port: the responses' shape, encoding
/// and content, and what the handler asked of Durable.
/// </summary>
public sealed class HandlerContractTests : IAsyncLifetime, IDisposable
{
    private static readonly LabelSchema Schema = new("t", PromptLanguage.English, [new EntityLabel("PER", "PER"), new EntityLabel("LOC", "LOC")]);
    private readonly TempDir _dir = new();
    private readonly ConcurrentQueue<(string Method, string Path, string Body)> _durableCalls = new();
    private WebApplication _handler = null!;
    private WebApplication _durable = null!;
    private HttpClient _client = null!;
    private string _durableBase = "";

    public async Task InitializeAsync()
    {
        // The Durable extension's webhooks: 202 + management payload on start, a status on GET.
        WebApplicationBuilder b = WebApplication.CreateSlimBuilder();
        b.WebHost.UseUrls("http://127.0.0.1:0");
        b.Logging.ClearProviders();
        _durable = b.Build();
        _durable.MapPost("/runtime/webhooks/durabletask/orchestrators/{name}/{id}", async (string name, string id, HttpContext http) =>
        {
            _durableCalls.Enqueue(("POST", http.Request.Path, await new StreamReader(http.Request.Body).ReadToEndAsync()));
            string status = $"{_durableBase}/runtime/webhooks/durabletask/instances/{Uri.EscapeDataString(id)}?code=k";
            return Results.Json(new JsonObject { ["id"] = id, ["statusQueryGetUri"] = status, ["sendEventPostUri"] = status + "&e", ["terminatePostUri"] = status + "&t" }, statusCode: 202);
        });
        _durable.MapGet("/runtime/webhooks/durabletask/instances/{id}", (string id) =>
            id == "missing" ? Results.Json(new JsonObject { ["error"] = "not found" }, statusCode: 404) : Results.Json(new JsonObject { ["instanceId"] = id, ["runtimeStatus"] = "Completed", ["output"] = new JsonObject { ["entities"] = new JsonArray() } }));
        await _durable.StartAsync();
        _durableBase = _durable.Urls.First();

        var http = new HttpClient();
        var results = new LocalDirectoryContainer(Path.Combine(_dir.Path, "results"));
        var settings = new FunctionsSettings(new FixedEngine(), BlobContainers.Of(new Dictionary<string, IBlobContainer> { ["results"] = results }), Schema, http);
        _handler = FunctionsHandler.Build(settings, "http://127.0.0.1:0");
        await _handler.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_handler.Urls.First()) };
    }

    public void Dispose()
    {
        _client?.Dispose();
        _dir.Dispose();
    }

    public async Task DisposeAsync()
    {
        await _handler.StopAsync();
        await _durable.StopAsync();
        await _handler.DisposeAsync();
        await _durable.DisposeAsync();
    }

    [Fact]
    public async Task An_activity_reads_its_double_encoded_input_and_returns_its_result_as_json()
    {
        var input = new JsonObject { ["text"] = "Anna flew to Rome .", ["schema"] = SchemaJson.Write(Schema), ["label"] = "PER" };
        // The host sends the activity input as a JSON string holding the JSON of a JSON string.
        JsonObject response = await Invoke("CountLabel", new JsonObject { ["input"] = JsonValue.Create(JsonValue.Create(input.ToJsonString())!.ToJsonString()) });
        Assert.Equal(["Outputs", "Logs", "ReturnValue"], response.Select(p => p.Key));
        JsonObject value = Assert.IsType<JsonObject>(response["ReturnValue"]);
        Assert.Equal(1, (int)value["count"]!);
        Assert.Equal("fixed", (string)value["model"]!);

        var write = new JsonObject { ["container"] = "results", ["name"] = "x/1.json", ["content"] = new JsonObject { ["a"] = 1 } };
        Assert.Equal("object", JsonValueKind(await Invoke("WriteBlob", new JsonObject { ["input"] = write.ToJsonString() })));
        JsonObject read = await Invoke("ReadBlob", new JsonObject { ["input"] = new JsonObject { ["container"] = "results", ["name"] = "x/1.json" }.ToJsonString() });
        Assert.Equal(1, (int)read["ReturnValue"]!["a"]!);
        JsonObject absent = await Invoke("ReadBlob", new JsonObject { ["input"] = new JsonObject { ["container"] = "results", ["name"] = "none.json" }.ToJsonString() });
        Assert.Null(absent["ReturnValue"]);
    }

    [Fact]
    public async Task The_orchestration_trigger_answers_a_base64_OrchestratorResponse()
    {
        DateTime now = new(2026, 11, 22, 9, 0, 0, DateTimeKind.Utc);
        var request = new P.OrchestratorRequest { InstanceId = "i-1" };
        request.NewEvents.Add(ProtocolHistory.ToProtocol(new OrchestratorStarted(now), -1, now));
        request.NewEvents.Add(ProtocolHistory.ToProtocol(new ExecutionStarted(ExtractDocumentOrchestrator.Name, new JsonObject { ["id"] = "d", ["text"] = "Anna flew to Rome .", ["schema"] = SchemaJson.Write(Schema) }), -1, now));
        string context = JsonValue.Create(Convert.ToBase64String(request.ToByteArray()))!.ToJsonString(); // JSON-encoded, as the host sends strings
        JsonObject response = await Invoke(ExtractDocumentOrchestrator.Name, new JsonObject { ["context"] = context });
        var decoded = P.OrchestratorResponse.Parser.ParseFrom(Convert.FromBase64String((string)response["ReturnValue"]!));
        Assert.Equal("i-1", decoded.InstanceId);
        Assert.Equal(["CountLabel", "CountLabel"], decoded.Actions.Select(a => a.ScheduleTask.Name));
    }

    [Fact]
    public async Task Http_start_creates_the_instance_through_the_durable_client_and_returns_its_management_urls()
    {
        JsonObject response = await Invoke(FunctionCatalog.HttpStart, new JsonObject
        {
            ["req"] = Request("POST", new JsonObject { ["id"] = "doc-7", ["text"] = "Anna flew to Rome ." }),
            ["starter"] = Starter(),
        });
        JsonNode res = response["Outputs"]!["res"]!;
        Assert.Equal(202, (int)res["statusCode"]!);
        JsonNode body = JsonNode.Parse((string)res["body"]!)!;
        Assert.Equal((string)body["statusQueryGetUri"]!, (string)res["headers"]!["Location"]!);
        var call = Assert.Single(_durableCalls);
        Assert.Equal("/runtime/webhooks/durabletask/orchestrators/ExtractDocument/api-doc-7", call.Path);
        JsonNode input = JsonNode.Parse(call.Body)!;
        Assert.Equal("Anna flew to Rome .", (string)input["text"]!);
        Assert.Equal("api/doc-7.json", (string)input["output"]!["name"]!);
        Assert.Equal(["PER", "LOC"], input["schema"]!["labels"]!.AsArray().Select(l => (string)l!["key"]!));

        JsonObject bad = await Invoke(FunctionCatalog.HttpStart, new JsonObject { ["req"] = Request("POST", new JsonObject { ["text"] = "  " }), ["starter"] = Starter() });
        Assert.Equal(400, (int)bad["Outputs"]!["res"]!["statusCode"]!);
        Assert.Contains("text", (string)JsonNode.Parse((string)bad["Outputs"]!["res"]!["body"]!)!["detail"]!, StringComparison.Ordinal);
        Assert.Single(_durableCalls); // nothing started for the bad request

        JsonObject status = await Invoke(FunctionCatalog.HttpStatus, new JsonObject { ["req"] = Request("GET", null, new JsonObject { ["instanceId"] = "api-doc-7" }), ["starter"] = Starter() });
        Assert.Equal(200, (int)status["Outputs"]!["res"]!["statusCode"]!);
        Assert.Equal("Completed", (string)JsonNode.Parse((string)status["Outputs"]!["res"]!["body"]!)!["runtimeStatus"]!);
        JsonObject missing = await Invoke(FunctionCatalog.HttpStatus, new JsonObject { ["req"] = Request("GET", null, new JsonObject { ["instanceId"] = "missing" }), ["starter"] = Starter() });
        Assert.Equal(404, (int)missing["Outputs"]!["res"]!["statusCode"]!);
    }

    [Fact]
    public async Task Blob_and_queue_triggers_start_their_orchestrations_and_an_unreadable_message_fails_for_the_host_to_retry()
    {
        JsonObject blob = await Invoke(FunctionCatalog.CorpusBlob, new JsonObject { ["corpus"] = Convert.ToBase64String("\"a\"\n\"b\"\n"u8.ToArray()), ["starter"] = Starter() }, new JsonObject { ["name"] = "dev.jsonl" });
        Assert.Contains("dev.jsonl", (string)blob["Logs"]![0]!, StringComparison.Ordinal);
        var corpusCall = Assert.Single(_durableCalls);
        Assert.StartsWith("/runtime/webhooks/durabletask/orchestrators/ProcessCorpus/corpus%7Cdev.jsonl%7C", corpusCall.Path, StringComparison.Ordinal);
        JsonNode corpusInput = JsonNode.Parse(corpusCall.Body)!;
        Assert.Equal("dev.jsonl", (string)corpusInput["corpus"]!["name"]!);
        Assert.Equal("dev/", (string)corpusInput["output"]!["prefix"]!);

        await Invoke(FunctionCatalog.IngestQueue, new JsonObject { ["message"] = new JsonObject { ["id"] = "m1", ["text"] = "Lena called Kofi ." }.ToJsonString(), ["starter"] = Starter() });
        Assert.Equal(2, _durableCalls.Count);
        Assert.EndsWith("/ExtractDocument/queue%7Cingest%7Cm1", _durableCalls.Last().Path, StringComparison.Ordinal);

        using HttpResponseMessage failed = await Post(FunctionCatalog.IngestQueue, new JsonObject { ["Data"] = new JsonObject { ["message"] = "not json", ["starter"] = Starter() }, ["Metadata"] = new JsonObject() });
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Contains("queue message must be", (string)JsonNode.Parse(await failed.Content.ReadAsStringAsync())!["Logs"]![0]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_functions_and_malformed_envelopes_are_refused()
    {
        using HttpResponseMessage unknown = await Post("NoSuchFunction", new JsonObject { ["Data"] = new JsonObject() });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using HttpResponseMessage malformed = await Post("CountLabel", new JsonObject { ["NotData"] = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("Data", (string)JsonNode.Parse(await malformed.Content.ReadAsStringAsync())!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_function_json_has_the_bindings_its_kind_needs()
    {
        using var dir = new TempDir();
        FunctionCatalog.WriteFunctionFolders(dir.Path);
        foreach ((string name, FunctionKind kind) in FunctionCatalog.Functions)
        {
            JsonNode json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, name, "function.json")))!;
            var types = json["bindings"]!.AsArray().Select(b => (string)b!["type"]!).ToList();
            string[] expected = kind switch
            {
                FunctionKind.Orchestrator => ["orchestrationTrigger"],
                FunctionKind.Activity => ["activityTrigger"],
                FunctionKind.HttpStart or FunctionKind.HttpStatus => ["httpTrigger", "http", "durableClient"],
                FunctionKind.CorpusBlob => ["blobTrigger", "durableClient"],
                FunctionKind.IngestQueue => ["queueTrigger", "durableClient"],
                _ => [],
            };
            Assert.Equal(expected, types);
            Assert.All(json["bindings"]!.AsArray(), b => Assert.False(string.IsNullOrEmpty((string?)b!["name"])));
        }
    }

    private static string JsonValueKind(JsonObject response) => response["ReturnValue"]!.GetValueKind().ToString().ToLowerInvariant();

    private JsonObject Starter() => new()
    {
        ["taskHubName"] = "PaDeLLMHub",
        ["creationUrls"] = new JsonObject { ["createNewInstancePostUri"] = $"{_durableBase}/runtime/webhooks/durabletask/orchestrators/{{functionName}}[/{{instanceId}}]?code=k" },
        ["managementUrls"] = new JsonObject { ["id"] = "INSTANCEID", ["statusQueryGetUri"] = $"{_durableBase}/runtime/webhooks/durabletask/instances/INSTANCEID?code=k" },
    };

    private static JsonObject Request(string method, JsonNode? body, JsonObject? parameters = null) => new()
    {
        ["Url"] = "http://localhost:7071/api/extract",
        ["Method"] = method,
        ["Query"] = new JsonObject(),
        ["Headers"] = new JsonObject { ["Content-Type"] = new JsonArray("application/json") },
        ["Params"] = parameters ?? new JsonObject(),
        ["Body"] = body?.ToJsonString(),
    };

    private async Task<JsonObject> Invoke(string function, JsonObject data, JsonObject? metadata = null)
    {
        using HttpResponseMessage r = await Post(function, new JsonObject { ["Data"] = data, ["Metadata"] = metadata ?? new JsonObject() });
        string text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{function}: {(int)r.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private Task<HttpResponseMessage> Post(string function, JsonNode envelope) =>
        _client.PostAsync($"/{function}", new StringContent(envelope.ToJsonString(), Encoding.UTF8, "application/json"));

    private sealed class FixedEngine : IPadellmEngine
    {
        public string ModelName => "fixed";

        public Task<IReadOnlyList<CountAnswer>> CountAsync(string text, LabelSchema schema, CancellationToken cancel = default) =>
            Task.FromResult<IReadOnlyList<CountAnswer>>(schema.Labels.Select(l => new CountAnswer(l.Key, 1, null, 2)).ToList());

        public Task<MentionAnswer> MentionAsync(string text, LabelSchema schema, string label, int count, int k, CancellationToken cancel = default) =>
            Task.FromResult(new MentionAnswer(label, k, text.Split(' ')[0], -0.1, null, 2));
    }
}
