using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using PaDeLLM.Ner.Data;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Bench;

/// <summary>
/// The model host as a separate <c>padellm serve</c> process under sustained and excess load:
/// its resident memory over 10,000 <c>/v1/extract</c> requests (after a warm-up), its answers when
/// the decode queue overflows (429 share, latency of the accepted), and the largest text it accepts.
/// </summary>
internal static class ServingSoakBenchmark
{
    public static async Task<int> Run(string[] args, string? outDir)
    {
        string padellm = Path.GetFullPath(BenchArgs.Get(args, "--padellm") ?? "src/Cli/bin/Release/net10.0/padellm");
        string model = Path.GetFullPath(BenchArgs.Get(args, "--model") ?? "models/conll03-en");
        int requests = int.Parse(BenchArgs.Get(args, "--requests") ?? "10000", CultureInfo.InvariantCulture);
        int clients = int.Parse(BenchArgs.Get(args, "--clients") ?? "8", CultureInfo.InvariantCulture);
        string data = BenchArgs.Get(args, "--data") ?? DatasetCatalog.DefaultDataDir;
        List<string> texts = DatasetCatalog.Get("conll03").Read(data, DatasetSplit.Dev).Select(s => s.Text).ToList();
        var report = new Report();
        report.Line("# Serving soak: the model host's memory, overload and limits");
        report.Line();
        report.Line($"`padellm serve --model {Path.GetFileName(model)}` as its own process; clients in the benchmark's "
            + $"process over loopback HTTP; {Environment.ProcessorCount} cores; {DateTime.UtcNow:yyyy-MM-dd}. "
            + "Resident memory (VmRSS) read from /proc.");
        report.Line();

        // 1. Memory over a long run of whole documents.
        var rss = new List<(double Requests, double Mb)>();
        double warmMb, endMb;
        LoadResult soak;
        string[] serveArgs = (BenchArgs.Get(args, "--serve") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        await using (Host host = await Host.StartAsync(padellm, model, serveArgs))
        {
            await Load(host.Client, texts, 500, clients, 0);
            warmMb = host.RssMb();
            rss.Add((0, warmMb));
            soak = await Load(host.Client, texts, requests, clients, 0,
                done => { if (done % 1000 == 0) { rss.Add((done, host.RssMb())); } });
            endMb = host.RssMb();

            // 3. The largest text accepted: sentences joined until the host answers 413.
            (int chars, int tokens, string refusal) = await Largest(host.Client, texts, TokenizerLoader.Load(model));
            report.Line($"## Memory over {requests:N0} `/v1/extract` requests ({clients} clients)");
            report.Line();
            report.Table(["after", "RSS MB"], rss.Select(p => new[]
            {
                p.Requests == 0 ? "warm-up (500 requests)" : $"{p.Requests:N0} more requests",
                p.Mb.ToString("F1", CultureInfo.InvariantCulture),
            }));
            report.Line(string.Create(CultureInfo.InvariantCulture,
                $"Growth from warm-up to the end: **{endMb - warmMb:F1} MB** over {soak.Ok:N0} answered requests "
                + $"({soak.Errors} errors; {soak.PerSecond:F1} documents/s, "
                + $"p50 {soak.P(0.5):F1} ms, p99 {soak.P(0.99):F1} ms)."));
            report.Line();
            report.Line("## The largest request");
            report.Line();
            report.Line(string.Create(CultureInfo.InvariantCulture,
                $"CoNLL-2003 dev sentences joined: the longest text accepted has "
                + $"**{chars:N0} characters, {tokens:N0} tokens**; "
                + $"one more sentence is refused with 413: \"{refusal}\""));
            report.Line();
        }

        // 2. Overload: a decode queue of 16 jobs against 64 clients.
        await using (Host host = await Host.StartAsync(padellm, model, [.. serveArgs, "--max-queue", "16"]))
        {
            LoadResult over = await Load(host.Client, texts, 2000, 64, 0);
            report.Line("## Overload: 64 clients against a queue of 16 jobs (`--max-queue 16`), 2,000 requests");
            report.Line();
            report.Table(["answered 200", "429 (Retry-After)", "other", "429 share", "p50 ms (200s)", "p99 ms (200s)"],
            [[
                over.Ok.ToString(CultureInfo.InvariantCulture), over.TooMany.ToString(CultureInfo.InvariantCulture),
                over.Errors.ToString(CultureInfo.InvariantCulture),
                (over.TooMany / (double)(over.Ok + over.TooMany + over.Errors))
                    .ToString("P1", CultureInfo.InvariantCulture),
                over.P(0.5).ToString("F1", CultureInfo.InvariantCulture),
                over.P(0.99).ToString("F1", CultureInfo.InvariantCulture),
            ]]);
        }

        report.Line();
        report.Line($"Reproduce: `dotnet run -c Release --project bench/Bench -- serve-soak --requests {requests} "
            + $"--clients {clients} --out docs/bench` (after `dotnet build -c Release src/Cli`).");
        Console.WriteLine(report.ToString());
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, "serving-soak.md"), report.ToString());
            File.WriteAllText(Path.Combine(outDir, "serving-soak.svg"), SvgLineChart.Render(
                "model host resident memory under load", "requests after warm-up", "RSS MB",
                [("padellm serve", rss.Select(p => (p.Requests, p.Mb)).ToList())]));
        }

        return soak.Errors == 0 && endMb - warmMb < 50 ? 0 : 1;
    }

    private static async Task<(int Chars, int Tokens, string Refusal)> Largest(
        HttpClient http, List<string> texts, ITokenizer tokenizer)
    {
        string accepted = "";
        for (int i = 0; i < texts.Count; i++)
        {
            string candidate = accepted.Length == 0 ? texts[i] : accepted + " " + texts[i];
            using var content = Json(candidate);
            using HttpResponseMessage r = await http.PostAsync("/v1/extract", content);
            string body = await r.Content.ReadAsStringAsync();
            if (r.StatusCode != HttpStatusCode.OK)
            {
                string detail = (string?)JsonNode.Parse(body)?["detail"] ?? body;
                return (accepted.Length, tokenizer.Encode(accepted).Length, $"{(int)r.StatusCode}: {detail}");
            }

            accepted = candidate;
        }

        return (accepted.Length, tokenizer.Encode(accepted).Length, "none refused");
    }

    private static async Task<LoadResult> Load(
        HttpClient http, List<string> texts, int total, int clients, int offset, Action<int>? onDone = null)
    {
        int next = offset - 1, done = 0, ok = 0, tooMany = 0, errors = 0;
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < offset + total)
            {
                long started = Stopwatch.GetTimestamp();
                try
                {
                    using var content = Json(texts[i % texts.Count]);
                    using HttpResponseMessage r = await http.PostAsync("/v1/extract", content);
                    await r.Content.ReadAsByteArrayAsync();
                    if (r.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref ok);
                        latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                    else if (r.StatusCode == HttpStatusCode.TooManyRequests && r.Headers.RetryAfter is not null)
                    {
                        Interlocked.Increment(ref tooMany);
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }

                onDone?.Invoke(Interlocked.Increment(ref done));
            }
        }));
        return new LoadResult(ok, tooMany, errors, ok / clock.Elapsed.TotalSeconds, [.. latencies.Order()]);
    }

    private static StringContent Json(string text) =>
        new(new JsonObject { ["text"] = text }.ToJsonString(), Encoding.UTF8, "application/json");

    private sealed record LoadResult(int Ok, int TooMany, int Errors, double PerSecond, List<double> Latencies)
    {
        public double P(double q) =>
            Latencies.Count == 0 ? double.NaN : Latencies[Math.Min(Latencies.Count - 1, (int)(q * Latencies.Count))];
    }

    /// <summary>A <c>padellm serve</c> child on a free loopback port.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private Process _process = null!;

        public HttpClient Client { get; private set; } = null!;

        public static async Task<Host> StartAsync(string padellm, string model, string[] extra)
        {
            int port;
            using (var l = new TcpListener(IPAddress.Loopback, 0))
            {
                l.Start();
                port = ((IPEndPoint)l.LocalEndpoint).Port;
            }

            string url = $"http://127.0.0.1:{port}";
            var psi = new ProcessStartInfo(padellm, ["serve", "--model", model, "--urls", url, .. extra])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var host = new Host
            {
                _process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {padellm}"),
                Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 128 })
                {
                    BaseAddress = new Uri(url),
                    Timeout = TimeSpan.FromMinutes(2),
                },
            };
            host._process.OutputDataReceived += (_, _) => { };
            host._process.ErrorDataReceived += (_, _) => { };
            host._process.BeginOutputReadLine();
            host._process.BeginErrorReadLine();
            for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(200))
            {
                try
                {
                    if ((await host.Client.GetAsync("/readyz")).IsSuccessStatusCode)
                    {
                        return host;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
            }

            await host.DisposeAsync();
            throw new InvalidOperationException($"padellm serve did not become ready on {url}");
        }

        public double RssMb()
        {
            foreach (string line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
                }
            }

            return double.NaN;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }
    }
}
