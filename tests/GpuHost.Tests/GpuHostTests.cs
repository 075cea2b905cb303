using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using PaDeLLM.Activities;
using PaDeLLM.Cli.Serving;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers.HuggingFace;
using PaDeLLM.Worker;
using Xunit;

namespace PaDeLLM.GpuHost.Tests;

/// <summary>The GPU host through real Kestrel on a loopback port, on the synthetic model trained here.</summary>
[Collection(SyntheticModelCollection.Name)]
public sealed class GpuHostTests(SyntheticModelFixture trained)
{
    [Fact]
    public async Task The_endpoints_answer_what_the_engine_answers_and_the_pipeline_api_follows_durables_pattern()
    {
        await using var host = await Host.StartAsync(trained.Directory);
        string text = "Greta met Kofi in Hanoi .";

        using var localBatcher = new ContinuousBatcher(host.Model);
        using var local = new PadellmEngineService(host.Model, host.Tokenizer, localBatcher);
        var expectedCounts = await local.CountAsync(text, SyntheticNer.Schema);
        JsonNode counts = await host.PostOk("/v1/count", new JsonObject { ["text"] = text });
        Assert.Equal(expectedCounts.Select(c => (c.Label, c.Count)),
            counts["counts"]!.AsArray().Select(c => ((string)c!["label"]!, (int?)c["count"])));
        Assert.Equal(2, (int)counts["counts"]![0]!["count"]!); // PER: Greta, Kofi

        JsonNode mention = await host.PostOk("/v1/mention",
            new JsonObject { ["text"] = text, ["label"] = "PER", ["count"] = 2, ["k"] = 2 });
        var expectedMention = await local.MentionAsync(text, SyntheticNer.Schema, new MentionCall("PER", 2, 2));
        Assert.Equal(expectedMention.Mention, (string?)mention["mention"]);
        Assert.Equal(expectedMention.LogProbability, (double)mention["logprob"]!, 4);

        // A mention decoded again carries what it may not repeat, and where it may start, through the wire.
        var barred = new MentionCall("PER", 2, 2) { Again = new RepeatBars(["Greta", "Kofi"], 1, 18) };
        JsonNode decodedAgain = await host.PostOk("/v1/mention", new JsonObject
        {
            ["text"] = text,
            ["label"] = "PER",
            ["count"] = 2,
            ["k"] = 2,
            ["again"] = new JsonObject { ["avoid"] = new JsonArray("Greta", "Kofi"), ["from"] = 1, ["before"] = 18 },
        });
        var expectedAgain = await local.MentionAsync(text, SyntheticNer.Schema, barred);
        Assert.Equal(expectedAgain.Mention, (string?)decodedAgain["mention"]);
        Assert.DoesNotContain((string?)decodedAgain["mention"], barred.Again.Avoid);

        JsonNode doc = await host.PostOk("/v1/extract",
            new JsonObject { ["text"] = text, ["labels"] = new JsonArray("LOC") });
        Assert.Equal([("LOC", "Hanoi", 18, 23)], doc["entities"]!.AsArray()
            .Select(e => ((string)e!["label"]!, (string)e["text"]!, (int)e["start"]!, (int)e["end"]!)));

        // The pipeline API: 202 + a status URL, polled to completion; ?wait=true answers at once.
        using HttpResponseMessage accepted =
            await host.Post("/api/extract", new JsonObject { ["id"] = "doc-1", ["text"] = text });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        JsonNode start = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!;
        Assert.Equal(accepted.Headers.Location!.ToString(), (string)start["statusQueryGetUri"]!);
        JsonNode status;
        do
        {
            await Task.Delay(20);
            status = JsonNode.Parse(await host.Client.GetStringAsync((string)start["statusQueryGetUri"]!))!;
        }
        while ((string)status["runtimeStatus"]! is "Running" or "Pending");
        Assert.Equal("Completed", (string)status["runtimeStatus"]!);
        Assert.Equal(3, status["output"]!["entities"]!.AsArray().Count);
        JsonNode waited = await host.PostOk("/api/extract?wait=true", new JsonObject { ["text"] = text });
        Assert.Equal(status["output"]!["entities"]!.ToJsonString(), waited["entities"]!.ToJsonString());
        using HttpResponseMessage again =
            await host.Post("/api/extract", new JsonObject { ["id"] = "doc-1", ["text"] = text });
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode); // the same document again: the same instance
        await host.Problem(await host.Post("/api/extract",
            new JsonObject { ["id"] = "doc-1", ["text"] = "Anna flew to Rome ." }), 409, "id");

        // Prometheus text from the .NET meters: the batch's instruments; a request path never becomes a label.
        (await host.Client.GetAsync("/v1/forged_path_9999")).Dispose();
        string metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Matches(@"(?m)^padellm_decode_steps [1-9]", metrics);
        Assert.Matches(@"(?m)^padellm_batch_sequences [1-9]", metrics);
        Assert.Matches(@"(?m)^padellm_queue_capacity(_jobs)? 1024", metrics);
        Assert.Matches(@"(?m)^padellm_prefix_cache_texts(_texts)? [1-9]", metrics);
        Assert.Matches(@"(?m)^padellm_prefix_cache_texts_limit(_texts)? 64", metrics);
        Assert.Matches(@"(?m)^padellm_prefix_cache_bytes(_bytes)? [1-9]", metrics);
        Assert.DoesNotContain("forged_path", metrics, StringComparison.Ordinal);
        Assert.Equal("Healthy", await host.Client.GetStringAsync("/readyz"));
    }

    [Fact]
    public async Task An_id_reused_for_another_text_after_a_restart_is_a_409_not_the_earlier_result()
    {
        using var dir = new TempDir();
        var results = new Storage.Blobs.LocalDirectoryContainer(dir.Path);
        await using (var first = await Host.StartAsync(trained.Directory, results: results))
        {
            JsonNode done = await first.PostOk("/api/extract?wait=true",
                new JsonObject { ["id"] = "r1", ["text"] = "Anna flew to Rome ." });
            Assert.Equal("r1", (string)done["id"]!);
        }

        await using var second = await Host.StartAsync(trained.Directory, results: results);
        await second.Problem(await second.Post("/api/extract",
            new JsonObject { ["id"] = "r1", ["text"] = "Boris flew to Lima ." }), 409, "id");
        JsonNode same = await second.PostOk("/api/extract?wait=true",
            new JsonObject { ["id"] = "r1", ["text"] = "Anna flew to Rome ." });
        Assert.Equal("Anna flew to Rome .", (string)same["text"]!);
    }

    [Fact]
    public async Task At_capacity_a_start_is_refused_with_429_and_every_accepted_start_completes()
    {
        await using var host = await Host.StartAsync(trained.Directory, maxPending: 4);
        var texts = SyntheticNer.Generate(30, 41).Select(s => s.Text).ToList();
        HttpResponseMessage[] answers = await Task.WhenAll(texts.Select((t, i) =>
            host.Post("/api/extract", new JsonObject { ["id"] = $"c{i}", ["text"] = t })));
        Assert.All(answers, a => Assert.True(
            a.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.TooManyRequests, a.StatusCode.ToString()));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter!.Delta));

        // Nothing accepted is lost: every 202 ends Completed.
        foreach (HttpResponseMessage accepted in answers.Where(a => a.StatusCode == HttpStatusCode.Accepted))
        {
            string url = (string)JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["statusQueryGetUri"]!;
            JsonNode status;
            var deadline = DateTime.UtcNow.AddMinutes(1);
            do
            {
                await Task.Delay(20);
                status = JsonNode.Parse(await host.Client.GetStringAsync(url))!;
            }
            while ((string)status["runtimeStatus"]! is "Running" or "Pending" && DateTime.UtcNow < deadline);
            Assert.Equal("Completed", (string)status["runtimeStatus"]!);
        }
    }

    [Fact]
    public async Task Finished_extractions_beyond_the_retention_bound_are_forgotten_oldest_first()
    {
        await using var host = await Host.StartAsync(trained.Directory, maxRetained: 3);
        for (int i = 0; i < 6; i++)
        {
            JsonNode done = await host.PostOk("/api/extract?wait=true",
                new JsonObject { ["id"] = $"r{i}", ["text"] = $"Anna flew to Rome {i} ." });
            Assert.Equal($"r{i}", (string)done["id"]!);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode oldest;
        do
        {
            await Task.Delay(50);
            using HttpResponseMessage r = await host.Client.GetAsync("api/extract/api-r0");
            oldest = r.StatusCode;
        }
        while (oldest == HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.NotFound, oldest);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("api/extract/api-r5")).StatusCode);
    }

    [Fact]
    public async Task Bad_input_gets_a_problem_naming_the_field_and_the_host_stays_up()
    {
        await using var host = await Host.StartAsync(trained.Directory, maxText: 100);
        var ok = new JsonObject { ["text"] = "Anna flew to Rome ." };
        await host.Problem(await host.Post("/v1/count", new JsonObject { ["text"] = "   " }), 400, "text");
        await host.Problem(await host.Post("/v1/count",
            new JsonObject { ["text"] = new string('x', 101) }), 413, "text");
        await host.Problem(await host.Post("/v1/count", new JsonObject { ["nope"] = 1 }), 400, "text");
        await host.Problem(await host.Post("/v1/count",
            new JsonObject { ["text"] = "a", ["labels"] = new JsonArray("PER", "ORG") }), 400, "labels");
        await host.Problem(await host.Post("/v1/count",
            new JsonObject { ["text"] = "a", ["labels"] = new JsonArray() }), 400, "labels");
        await host.Problem(await host.Post("/v1/count",
            new JsonObject { ["text"] = "a", ["schema"] = new JsonObject { ["labels"] = 5 } }), 400, "schema");
        await host.Problem(await host.PostRaw("/v1/count",
            "{\"text\": \"unterminated", "application/json"), 400, "body");
        await host.Problem(await host.PostRaw("/v1/count", "[1,2]", "application/json"), 400, "body");
        await host.Problem(await host.PostRaw("/v1/extract",
            "{\"text\": \"Anna\", \"text\": \"Rome\"}", "application/json"), 400, "body");
        await host.Problem(await host.PostRaw("/v1/count",
            "text=hello", "application/x-www-form-urlencoded"), 415, "Content-Type");
        await host.Problem(await host.PostRaw("/v1/count",
            new string(' ', 300 * 1024), "application/json"), 413, "body");
        await host.Problem(await host.Post("/v1/mention",
            new JsonObject { ["text"] = "a", ["label"] = "PER", ["count"] = 2, ["k"] = 3 }), 400, "k");
        await host.Problem(await host.Post("/v1/mention",
            new JsonObject { ["text"] = "a", ["label"] = "PER", ["count"] = 0, ["k"] = 1 }), 400, "count");
        await host.Problem(await host.Post("/v1/mention",
            new JsonObject { ["text"] = "a", ["label"] = "DATE", ["count"] = 1, ["k"] = 1 }), 400, "label");
        await host.Problem(await host.Post("/v1/mention",
            new JsonObject { ["text"] = "a", ["label"] = "PER", ["count"] = "two", ["k"] = 1 }), 400, "count");
        // A mention decoded again: its bars are an object, whose avoid is strings and whose window is in the text.
        JsonObject Again(JsonNode? again) =>
            new() { ["text"] = "ab", ["label"] = "PER", ["count"] = 1, ["k"] = 1, ["again"] = again };
        await host.Problem(await host.Post("/v1/mention", Again(new JsonArray("a"))), 400, "again");
        await host.Problem(await host.Post("/v1/mention", Again(new JsonObject { ["from"] = 0 })), 400, "again.avoid");
        await host.Problem(await host.Post("/v1/mention",
            Again(new JsonObject { ["avoid"] = new JsonArray("a", 3) })), 400, "again.avoid");
        await host.Problem(await host.Post("/v1/mention",
            Again(new JsonObject { ["avoid"] = new JsonArray("a"), ["before"] = 3 })), 400, "again.before");
        await host.Problem(await host.PostRaw("/v1/extract",
            "{\"text\": \"\\ud800 lone surrogate\"}", "application/json"), 400, "text");
        await host.Problem(await host.PostRaw("/v1/count",
            "{\"text\": \"a\", \"labels\": [\"\\ud800\"]}", "application/json"), 400, "labels");
        await host.Problem(await host.PostRaw("/v1/mention",
            "{\"text\": \"a\", \"label\": \"\\udc00\", \"count\": 1, \"k\": 1}", "application/json"), 400, "label");
        await host.Problem(await host.Post("/api/extract", new JsonObject { ["text"] = "a", ["id"] = 5 }), 400, "id");
        var tooMany = new JsonArray(Enumerable.Range(0, 65).Select(i => (JsonNode)new JsonObject
        {
            ["key"] = $"L{i}",
            ["prompt"] = $"L{i}",
        }).ToArray());
        await host.Problem(await host.Post("/v1/extract", new JsonObject
        {
            ["text"] = "a",
            ["schema"] = new JsonObject { ["name"] = "big", ["labels"] = tooMany },
        }), 400, "schema");
        await host.Problem(await host.Client.GetAsync("/api/extract/never-started"), 404, "instanceId");
        await host.Problem(await host.Client.GetAsync("/v1/unknown"), 404, null);
        await host.Problem(await host.Client.GetAsync("/v1/count"), 405, null);
        Assert.Equal(HttpStatusCode.OK, (await host.Post("/v1/count", ok)).StatusCode);
        Assert.Equal("Healthy", await host.Client.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task A_text_longer_than_the_context_fails_alone_while_200_others_succeed()
    {
        await using var host = await Host.StartAsync(trained.Directory);
        int context = host.Model.Config.ContextLength;

        // Far under the character limit, far over the model's context in tokens.
        string tooLong = string.Join(" ", SyntheticNer.Generate(40, 5).Select(s => s.Text));
        Assert.True(host.Tokenizer.Encode(tooLong).Length > context, "the long text fits the context: no test");
        var normal = SyntheticNer.Generate(200, 6).Select(s => s.Text).ToList();

        Task<HttpResponseMessage>[] others = normal
            .Select(t => host.Post("/v1/extract", new JsonObject { ["text"] = t })).ToArray();
        Task<HttpResponseMessage> longOne = host.Post("/v1/extract", new JsonObject { ["text"] = tooLong });
        Task<HttpResponseMessage> longCount = host.Post("/v1/count", new JsonObject { ["text"] = tooLong });
        Task<HttpResponseMessage> longMention = host.Post("/v1/mention",
            new JsonObject { ["text"] = tooLong, ["label"] = "PER", ["count"] = 1, ["k"] = 1 });

        foreach (Task<HttpResponseMessage> refused in new[] { longOne, longCount, longMention })
        {
            JsonNode problem = await host.Problem(await refused, 413, "text");
            Assert.Contains($"context is {context} tokens", (string)problem["detail"]!, StringComparison.Ordinal);
        }

        HttpResponseMessage[] answers = await Task.WhenAll(others);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_api_key_is_refused_at_startup(string key)
    {
        var options = new GpuHostOptions
        {
            Urls = "http://127.0.0.1:0",
            ApiKey = key,
            DefaultSchema = SyntheticNer.Schema,
        };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("API key is empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_api_key_guards_every_call_but_the_probes()
    {
        await using var host = await Host.StartAsync(trained.Directory, apiKey: "s3cret-for-this-test");
        var body = new JsonObject { ["text"] = "Anna flew to Rome ." };
        await host.Problem(await host.Post("/v1/count", body), 401, "x-api-key");
        host.Client.DefaultRequestHeaders.Add("x-api-key", "wrong");
        await host.Problem(await host.Post("/v1/count", body), 401, "x-api-key");
        host.Client.DefaultRequestHeaders.Remove("x-api-key");
        host.Client.DefaultRequestHeaders.Add("x-api-key", "s3cret-for-this-test");
        Assert.Equal(HttpStatusCode.OK, (await host.Post("/v1/count", body)).StatusCode);
        host.Client.DefaultRequestHeaders.Remove("x-api-key");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after_and_the_http_engine_retries_through_it()
    {
        await using var host = await Host.StartAsync(trained.Directory, maxQueue: 1);
        var texts = SyntheticNer.Generate(48, 21).Select(s => s.Text).ToList();
        var answers = await Task.WhenAll(texts.Select(t => host.Post("/v1/count", new JsonObject { ["text"] = t })));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);

        // /v1/extract at a full queue is refused the same way (it once answered 500).
        var extracts = await Task.WhenAll(
            texts.Select(t => host.Post("/v1/extract", new JsonObject { ["text"] = t })));
        Assert.Contains(extracts, a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.All(extracts, a => Assert.True(
            a.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, a.StatusCode.ToString()));
        Assert.All(refused, r => Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter!.Delta));
        Assert.All(answers, a => Assert.True(
            a.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, a.StatusCode.ToString()));

        // The activities' HTTP engine retries 429s (with jitter, honouring Retry-After) until every call lands.
        var remote = new HttpPadellmEngine(host.Client, host.Client.BaseAddress!)
        {
            FirstBackoff = TimeSpan.FromMilliseconds(20),
            MaxAttempts = 20,
        };
        var counts = await Task.WhenAll(texts.Take(16).Select(t => remote.CountAsync(t, SyntheticNer.Schema)));
        Assert.All(counts, c => Assert.Equal(2, c.Count));
        Assert.True(remote.Retries > 0, "no call was retried, so the 429 path was not exercised");
        Assert.Equal("synthetic-model", remote.ModelName);
    }

    [Fact]
    public async Task ExtractDocument_over_the_http_engine_equals_the_in_process_pipeline()
    {
        await using var host = await Host.StartAsync(trained.Directory);
        using var batcher = new ContinuousBatcher(host.Model);
        using var local = new PadellmEngineService(host.Model, host.Tokenizer, batcher);
        var remote = new HttpPadellmEngine(host.Client, host.Client.BaseAddress!);
        await using var viaHttp = DurablePipeline.InMemory(new PipelineTasks(remote, BlobContainers.For(null)));
        await using var inProcess = DurablePipeline.InMemory(new PipelineTasks(local, BlobContainers.For(null)));
        await viaHttp.StartAsync();
        await inProcess.StartAsync();
        foreach ((var sentence, int i) in SyntheticNer.Generate(6, 33).Select((s, i) => (s, i)))
        {
            var input = new ExtractDocumentInput($"d{i}", sentence.Text, SchemaSpec.From(SyntheticNer.Schema));
            await viaHttp.ScheduleAsync(TaskNames.ExtractDocument, $"d{i}", input);
            await inProcess.ScheduleAsync(TaskNames.ExtractDocument, $"d{i}", input);
            ResultDocument a = (await viaHttp.WaitAsync<ResultDocument>($"d{i}", TimeSpan.FromMinutes(1))).Output!;
            ResultDocument b = (await inProcess.WaitAsync<ResultDocument>($"d{i}", TimeSpan.FromMinutes(1))).Output!;
            Assert.Equal(
                System.Text.Json.JsonSerializer.Serialize(b.Entities, PipelineJson.Default.Options),
                System.Text.Json.JsonSerializer.Serialize(a.Entities, PipelineJson.Default.Options));
        }
    }

    /// <summary>A GPU host on a free loopback port with a client pointed at it.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private WebApplication _app = null!;
        private PadellmEngineService _engine = null!;
        private ContinuousBatcher _batcher = null!;
        private DurablePipeline _pipeline = null!;

        public DecoderModel Model { get; private set; } = null!;

        public HfTokenizer Tokenizer { get; private set; } = null!;

        public HttpClient Client { get; private set; } = null!;

        public static async Task<Host> StartAsync(
            string modelDir,
            int maxText = 8192,
            int maxQueue = 1024,
            string? apiKey = null,
            Storage.Blobs.IBlobContainer? results = null,
            int maxPending = 256,
            int maxRetained = 10_000)
        {
            var h = new Host
            {
                Model = DecoderModel.Load(modelDir),
                Tokenizer = HfTokenizer.Load(Path.Combine(modelDir, "tokenizer.json")),
            };
            h._batcher = new ContinuousBatcher(h.Model, maxQueuedJobs: maxQueue);
            h._engine = new PadellmEngineService(h.Model, h.Tokenizer, h._batcher) { ModelName = "synthetic-model" };
            h._pipeline = DurablePipeline.InMemory(new PipelineTasks(h._engine, BlobContainers.For(null)));
            await (results?.CreateIfNotExistsAsync() ?? Task.CompletedTask);
            await h._pipeline.StartAsync();
            string url = $"http://127.0.0.1:{FreePort()}";
            var options = new GpuHostOptions
            {
                Urls = url,
                MaxTextChars = maxText,
                MaxQueuedJobs = maxQueue,
                ApiKey = apiKey,
                DefaultSchema = SyntheticNer.Schema,
            };
            h._app = GpuHostApp.Build(options, h._engine,
                extend: new PipelineApi(h._pipeline, results, new Uri(url + "/"))
                {
                    MaxPending = maxPending,
                    MaxRetained = maxRetained,
                });
            await h._app.StartAsync();
            h.Client = new HttpClient { BaseAddress = new Uri(url + "/") };
            return h;
        }

        private static int FreePort()
        {
            using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return ((IPEndPoint)l.LocalEndpoint).Port;
        }

        public Task<HttpResponseMessage> Post(string path, JsonNode body) =>
            PostRaw(path, body.ToJsonString(), "application/json");

        public Task<HttpResponseMessage> PostRaw(string path, string body, string contentType)
        {
            var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

            // Expect: 100-continue lets the host refuse an oversized body before it is sent, as real clients do.
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            request.Headers.ExpectContinue = true;
            return Client.SendAsync(request);
        }

        public async Task<JsonNode> PostOk(string path, JsonNode body)
        {
            using HttpResponseMessage r = await Post(path, body);
            string text = await r.Content.ReadAsStringAsync();
            Assert.True(r.IsSuccessStatusCode, $"{path}: {(int)r.StatusCode} {text}");
            return JsonNode.Parse(text)!;
        }

        public async Task<JsonNode> Problem(HttpResponseMessage r, int status, string? field)
        {
            Assert.NotNull(_app); // the host answered it
            return await ProblemOf(r, status, field);
        }

        private static async Task<JsonNode> ProblemOf(HttpResponseMessage r, int status, string? field)
        {
            string text = await r.Content.ReadAsStringAsync();
            Assert.True((int)r.StatusCode == status, $"expected {status}, got {(int)r.StatusCode}: {text}");
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            JsonNode problem = JsonNode.Parse(text)!;
            Assert.Equal(status, (int)problem["status"]!);
            Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
            Assert.Equal(field, (string?)problem["field"]);
            r.Dispose();
            return problem;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
            await _pipeline.DisposeAsync();
            _engine.Dispose();
            _batcher.Dispose();
            Model.Dispose();
        }
    }
}
