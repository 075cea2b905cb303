using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using PaDeLLM.Extraction;
using PaDeLLM.GpuHost;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Bench;

/// <summary>
/// Load on the GPU host over loopback HTTP: N concurrent clients posting whole documents to
/// /v1/extract for a fixed time, beside one client doing the same (the same host, the same
/// process, back to back). Reports errors, documents/s and latency percentiles, and the
/// continuous batch's mean size in each run.
/// </summary>
internal static class ServingLoadBenchmark
{
    public static async Task<int> Run(string[] args, string? outDir)
    {
        string model = BenchArgs.Get(args, "--model") ?? "models/conll03-en";
        double seconds = double.Parse(BenchArgs.Get(args, "--seconds") ?? "60", CultureInfo.InvariantCulture);
        int clients = int.Parse(BenchArgs.Get(args, "--clients") ?? "32", CultureInfo.InvariantCulture);
        string data = BenchArgs.Get(args, "--data") ?? DatasetCatalog.DefaultDataDir;
        var texts = DatasetCatalog.Get("conll03").Read(data, DatasetSplit.Dev).Select(s => s.Text).ToList();

        ITokenizer tokenizer = TokenizerLoader.Load(model);
        using DecoderModel decoder = DecoderModel.Load(model);
        using var batcher = new ContinuousBatcher(decoder, maxQueuedJobs: 4096);
        // No cross-request cache hits between runs: each run sees texts the other did not.
        using var engine = new PadellmEngineService(decoder, tokenizer, batcher)
        { ModelName = Path.GetFileName(Path.GetFullPath(model)) };
        LabelSchema schema = LabelSchemaFile.ForModel(model) ?? DatasetCatalog.Get("conll03").Schema;
        await using WebApplication app =
            GpuHostApp.Build(new GpuHostOptions
            { Urls = "http://127.0.0.1:0", DefaultSchema = schema, MaxQueuedJobs = 4096 }, engine);
        await app.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients + 4 })
        { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(2) };

        var report = new Report();
        report.Line($"# Serving load: {clients} concurrent clients vs one, {seconds:F0} s each");
        report.Line();
        report.Line($"Model `{engine.ModelName}` ({decoder.Config.Layers} layers, hidden {decoder.Config.HiddenSize}), "
            + $"CoNLL-2003 dev sentences posted to `/v1/extract` over loopback HTTP; {Environment.ProcessorCount} "
            + $"cores. Same process, same host, sequential run first.");
        report.Line();

        int next = 0;
        LoadRun sequential = await Load(http, batcher, texts, () => Interlocked.Increment(ref next), 1, seconds);
        LoadRun concurrent = await Load(http, batcher, texts, () => Interlocked.Increment(ref next), clients, seconds);
        report.Table(
            ["clients", "documents", "errors", "documents/s", "p50 ms", "p99 ms", "mean batch (sequences/step)"],
            new[] { sequential, concurrent }.Select(r => new[]
            {
                r.Clients.ToString(CultureInfo.InvariantCulture),
                r.Latencies.Count.ToString(CultureInfo.InvariantCulture),
                r.Errors.ToString(CultureInfo.InvariantCulture),
                r.PerSecond.ToString("F1", CultureInfo.InvariantCulture),
                r.Percentile(0.50).ToString("F1", CultureInfo.InvariantCulture),
                r.Percentile(0.99).ToString("F1", CultureInfo.InvariantCulture),
                r.MeanBatch.ToString("F1", CultureInfo.InvariantCulture),
            }));
        report.Line($"Throughput ratio, {clients} clients / 1 client: "
            + $"**{concurrent.PerSecond / sequential.PerSecond:F2}×**; p50 latency ratio "
            + $"{concurrent.Percentile(0.5) / sequential.Percentile(0.5):F2}×.");
        report.Line();
        report.Line($"Reproduce: `dotnet run -c Release --project bench/Bench -- serve-load --model {model} --seconds "
            + $"{seconds:F0} --clients {clients} --out docs/bench`.");
        await app.StopAsync();
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, "serving-load.md"), report.ToString());
            File.WriteAllText(Path.Combine(outDir, "serving-load.svg"),
                SvgBarChart.Render("documents/s on loopback HTTP", "documents/s",
                [("1 client", sequential.PerSecond), ($"{clients} clients", concurrent.PerSecond)]));
        }

        return sequential.Errors + concurrent.Errors == 0 ? 0 : 1;
    }

    private static async Task<LoadRun> Load(HttpClient http, ContinuousBatcher batcher, List<string> texts,
        Func<int> nextIndex, int clients, double seconds)
    {
        long steps0 = batcher.Metrics.Steps, batch0 = batcher.Metrics.BatchSizeSum;
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        int errors = 0;
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (clock.Elapsed < deadline)
            {
                string text = texts[nextIndex() % texts.Count];
                var started = Stopwatch.GetTimestamp();
                using var content = new StringContent(new JsonObject { ["text"] = text }.ToJsonString(), Encoding.UTF8,
                    "application/json");
                try
                {
                    using HttpResponseMessage r = await http.PostAsync("/v1/extract", content);
                    await r.Content.ReadAsByteArrayAsync();
                    if (r.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        double elapsed = clock.Elapsed.TotalSeconds;
        long steps = batcher.Metrics.Steps - steps0;
        return new LoadRun(clients, [.. latencies.Order()], errors, latencies.Count / elapsed,
            steps == 0 ? 0 : (double)(batcher.Metrics.BatchSizeSum - batch0) / steps);
    }

    private sealed record LoadRun(int Clients, List<double> Latencies, int Errors, double PerSecond, double MeanBatch)
    {
        public double Percentile(double p) => Latencies.Count == 0 ? double.NaN
            : Latencies[Math.Min(Latencies.Count - 1, (int)Math.Floor(p * Latencies.Count))];
    }
}
