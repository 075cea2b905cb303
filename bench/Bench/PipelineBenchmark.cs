using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Bench;

/// <summary>
/// The corpus pipeline as a user runs it, each run a <c>padellm</c> process on CoNLL-2003 dev:
/// embedded (against the previous implementation's binary, when given, in the same script),
/// a rerun, a run killed with SIGKILL midway and run again; then every result compared with
/// <c>padellm extract</c>'s extractor, document by document. With Azurite: the same corpus on
/// a Durable Task hub in Azure Storage with one and two <c>padellm worker</c> processes, and
/// the time a killed worker's work takes to be picked up again.
/// </summary>
internal static class PipelineBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> Run(string[] args, string? outDir)
    {
        string model = Path.GetFullPath(BenchArgs.Get(args, "--model") ?? "models/conll03-en");
        string data = Path.GetFullPath(BenchArgs.Get(args, "--data") ?? DatasetCatalog.DefaultDataDir);
        string? before = BenchArgs.Get(args, "--before");
        string? azurite = BenchArgs.Get(args, "--azurite")
            ?? (File.Exists(".tools/azurite/node_modules/.bin/azurite")
                ? Path.GetFullPath(".tools/azurite/node_modules/.bin/azurite")
                : null);
        int durableDocs = int.Parse(BenchArgs.Get(args, "--durable-documents") ?? "400", Inv);
        string corpus = Path.Combine(data, "padellm", "conll03", "dev.json");
        int documents = File.ReadLines(corpus).Count(l => l.Trim().Length > 0);
        string work = Directory.CreateTempSubdirectory("padellm-bench-").FullName;
        if (args.Contains("--durable-only"))
        {
            var durable = new Report();
            if (azurite is null)
            {
                Console.Error.WriteLine(
                    "azurite not found: run scripts/test.sh once (it installs .tools/azurite), or pass --azurite PATH");
                return 2;
            }

            await Durable(durable, azurite, model, corpus, durableDocs, work);
            Save(durable, outDir, "pipeline-durable.md");
            Directory.Delete(work, recursive: true);
            return 0;
        }

        var report = new Report();
        report.Line(
            $"# The corpus pipeline: CoNLL-2003 dev ({documents:N0} documents), model `{Path.GetFileName(model)}`");
        report.Line();
        report.Line("Each run is a `padellm corpus` process started by `bench pipeline`, one after another "
            + $"on the same machine ({Environment.ProcessorCount} cores).");
        report.Line();

        var rows = new List<string[]>();
        double? beforeSeconds = null;
        if (before is not null)
        {
            (beforeSeconds, _) = await Timed(
                before, ["corpus", "--in", corpus, "--out", Path.Combine(work, "before"), "--model", model]);
            rows.Add(["previous implementation (own replay runtime)",
                S(beforeSeconds.Value), Rate(documents, beforeSeconds.Value)]);
        }

        string now = Path.Combine(work, "now");
        (double nowSeconds, string nowErr) =
            await Timed(Cli, ["corpus", "--in", corpus, "--out", now, "--model", model]);
        rows.Add(["embedded Durable Task engine (in memory)", S(nowSeconds), Rate(documents, nowSeconds)]);
        (double rerun, string rerunErr) = await Timed(Cli, ["corpus", "--in", corpus, "--out", now, "--model", model]);
        rows.Add(["rerun (every result exists)", S(rerun), ""]);

        // Killed with SIGKILL once about half the results exist, then run again.
        string killed = Path.Combine(work, "killed");
        var clock = Stopwatch.StartNew();
        using (var victim = Start(Cli, ["corpus", "--in", corpus, "--out", killed, "--model", model]))
        {
            await WaitForFiles(Path.Combine(killed, "dev"), documents / 2);
            victim.Kill(entireProcessTree: true);
            await victim.WaitForExitAsync();
        }

        double untilKill = clock.Elapsed.TotalSeconds;
        var atKill = Directory.GetFiles(Path.Combine(killed, "dev"), "*.json")
            .ToDictionary(f => f, File.GetLastWriteTimeUtc);
        (double resumed, string resumedErr) =
            await Timed(Cli, ["corpus", "--in", corpus, "--out", killed, "--model", model]);
        int rewritten = atKill.Count(kv => File.GetLastWriteTimeUtc(kv.Key) != kv.Value);
        rows.Add([$"killed after {atKill.Count:N0} results, run again", $"{S(untilKill)} + {S(resumed)}", ""]);
        report.Table(["run", "seconds", "documents/s"], rows);
        if (beforeSeconds is double b)
        {
            report.Line($"Embedded run time, now / previous: **{nowSeconds / b:F2}×** (below 1 is faster).");
        }

        report.Line($"- rerun: `{Summary(rerunErr)}`");
        report.Line($"- after the kill: `{Summary(resumedErr)}`; "
            + $"results written before the kill and written again: **{rewritten}**");
        report.Line();

        // Every result against `padellm extract` on the same text, and against the previous implementation's.
        (int same, int differ, List<string> examples) = CompareWithExtractor(model, corpus, Path.Combine(now, "dev"));
        report.Line("Results equal to `padellm extract` (label, text, start, end of every entity): "
            + $"**{same:N0} of {same + differ:N0}** documents"
            + $"{(examples.Count > 0 ? "; e.g. " + string.Join("; ", examples) : "")}.");
        if (before is not null)
        {
            (int s2, int d2) = CompareDirectories(Path.Combine(work, "before", "dev"), Path.Combine(now, "dev"));
            report.Line($"Results equal to the previous implementation's: **{s2:N0} of {s2 + d2:N0}**.");
        }

        (int s3, int d3) = CompareDirectories(Path.Combine(now, "dev"), Path.Combine(killed, "dev"));
        report.Line($"Killed-and-resumed results equal to the uninterrupted run's: **{s3:N0} of {s3 + d3:N0}**.");
        report.Line();
        _ = nowErr;

        report.Line("The same corpus on a Durable Task hub in Azure Storage: "
            + "`bench pipeline --durable-only` (pipeline-durable.md).");
        Save(report, outDir, "pipeline.md");
        Directory.Delete(work, recursive: true);
        return 0;
    }

    private static void Save(Report report, string? outDir, string name)
    {
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, name), report.ToString());
        }
    }

    private static async Task Durable(
        Report report, string azurite, string model, string corpus, int count, string work)
    {
        int[] ports = [FreePort(), FreePort(), FreePort()];
        using Process storage = Start(azurite,
            ["--silent", "--inMemoryPersistence", "--skipApiVersionCheck",
                "--blobPort", P(ports[0]), "--queuePort", P(ports[1]), "--tablePort", P(ports[2])],
            dotnet: false);
        await Task.Delay(3000);
        string conn = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + $"BlobEndpoint=http://127.0.0.1:{ports[0]}/devstoreaccount1;"
            + $"QueueEndpoint=http://127.0.0.1:{ports[1]}/devstoreaccount1;"
            + $"TableEndpoint=http://127.0.0.1:{ports[2]}/devstoreaccount1;";
        string subset = Path.Combine(work, "durable.jsonl");
        File.WriteAllLines(subset, File.ReadLines(corpus).Take(count));
        report.Line("# The corpus pipeline on a Durable Task hub in Azure Storage (Azurite on loopback): "
            + $"the first {count} documents of CoNLL-2003 dev");
        report.Line();
        report.Line("`padellm worker` processes and a `padellm corpus --durable … --no-worker` client "
            + $"on one machine ({Environment.ProcessorCount} cores), "
            + $"model `{Path.GetFileName(model)}`. The workers start {Settle.TotalSeconds:F0} s "
            + "before the corpus is scheduled, so that their "
            + "partition leases have settled (a worker joining a busy hub takes partitions over, "
            + "and the messages the other "
            + "worker had buffered for them wait out their visibility timeout).");
        report.Line();
        var rows = new List<string[]>();
        foreach (int workers in new[] { 1, 2 })
        {
            string hub = $"bench{workers}";
            var procs = Enumerable.Range(0, workers)
                .Select(_ => Start(Cli, ["worker", "--durable", conn, "--task-hub", hub, "--model", model]))
                .ToList();
            await Task.Delay(Settle);
            (double seconds, _) = await Timed(Cli,
                ["corpus", "--in", subset, "--out", Path.Combine(work, hub),
                    "--durable", conn, "--task-hub", hub, "--no-worker", "--model", model]);
            rows.Add([$"{workers} `padellm worker` process{(workers > 1 ? "es" : "")}",
                S(seconds), Rate(count, seconds)]);
            procs.ForEach(p => p.Kill(entireProcessTree: true));
        }

        // Recovery: the only worker killed mid-corpus, a new one started at once.
        string recoveryOut = Path.Combine(work, "recovery", "durable");
        Process first = Start(Cli, ["worker", "--durable", conn, "--task-hub", "benchkill", "--model", model]);
        await Task.Delay(Settle);
        using (Process client = Start(Cli,
            ["corpus", "--in", subset, "--out", Path.Combine(work, "recovery"),
                "--durable", conn, "--task-hub", "benchkill", "--no-worker", "--model", model]))
        {
            await WaitForFiles(recoveryOut, count / 3);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
            int atKill = Directory.GetFiles(recoveryOut, "*.json").Length;
            var sinceKill = Stopwatch.StartNew();
            using Process second =
                Start(Cli, ["worker", "--durable", conn, "--task-hub", "benchkill", "--model", model]);
            await WaitForFiles(recoveryOut, atKill + 1);
            double resumedAfter = sinceKill.Elapsed.TotalSeconds;
            await client.WaitForExitAsync();
            double finishedAfter = sinceKill.Elapsed.TotalSeconds;
            second.Kill(entireProcessTree: true);
            rows.Add([$"1 worker killed with SIGKILL after {atKill} results, a new one started at once",
                $"next result {S(resumedAfter)} s after the kill, all done {S(finishedAfter)} s after it", ""]);
        }

        report.Table(["workers", "seconds", "documents/s"], rows);
        report.Line("Recovery waits for the killed worker's partition leases to lapse (30 s) "
            + "and for the messages it had taken to "
            + "become visible again: activities after 30 s, "
            + "orchestration messages after DurableTask.AzureStorage's 5 minutes "
            + "(`padellm worker --recovery-seconds N` shortens all three, for light loads).");
        storage.Kill(entireProcessTree: true);
    }

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    private static string Cli => Path.Combine(AppContext.BaseDirectory, "padellm.dll");

    private static Process Start(string program, string[] args, bool dotnet = true)
    {
        var start = new ProcessStartInfo(dotnet ? "dotnet" : program)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (dotnet)
        {
            start.ArgumentList.Add(program);
        }

        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        Process p = Process.Start(start)!;
        p.BeginOutputReadLine();
        p.ErrorDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task<(double Seconds, string Err)> Timed(string program, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(program);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        var clock = Stopwatch.StartNew();
        using Process p = Process.Start(start)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        double seconds = clock.Elapsed.TotalSeconds;
        string text = await err;
        Console.Error.WriteLine(
            $"{Path.GetFileName(program)} {args[0]}: {seconds:F1} s, exit {p.ExitCode}: {Summary(text)}");
        return p.ExitCode == 0
            ? (seconds, text)
            : throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed: {text}");
    }

    private static async Task WaitForFiles(string dir, int count)
    {
        while (!Directory.Exists(dir) || Directory.GetFiles(dir, "*.json").Length < count)
        {
            await Task.Delay(50);
        }
    }

    private static (int Same, int Differ, List<string> Examples) CompareWithExtractor(
        string model, string corpus, string results)
    {
        ITokenizer tokenizer = TokenizerLoader.Load(model);
        using DecoderModel decoder = DecoderModel.Load(model);
        LabelSchema schema = LabelSchemaFile.ForModel(model) ?? DatasetCatalog.Get("conll03").Schema;
        var extractor = new PadellmExtractor(decoder, tokenizer);
        int same = 0, differ = 0, line = 0;
        var examples = new List<string>();
        foreach (string raw in File.ReadLines(corpus))
        {
            line++;
            if (raw.Trim().Length == 0)
            {
                continue;
            }

            string text = (string)JsonNode.Parse(raw)![0]!;
            var expected = extractor.Extract(text, schema).Entities
                .Select(e => $"{e.Label}|{e.Text}|{e.Start}|{e.End}")
                .Order(StringComparer.Ordinal)
                .ToList();
            var actual = Entities(File.ReadAllText(Path.Combine(results, $"{line}.json")));
            if (expected.SequenceEqual(actual))
            {
                same++;
            }
            else
            {
                differ++;
                if (examples.Count < 3)
                {
                    examples.Add($"line {line}: [{string.Join(", ", expected)}] vs [{string.Join(", ", actual)}]");
                }
            }
        }

        return (same, differ, examples);
    }

    private static (int Same, int Differ) CompareDirectories(string a, string b)
    {
        int same = 0, differ = 0;
        foreach (string file in Directory.GetFiles(a, "*.json")
            .Where(f => !f.EndsWith("manifest.json", StringComparison.Ordinal)))
        {
            string other = Path.Combine(b, Path.GetFileName(file));
            bool equal = File.Exists(other)
                && Entities(File.ReadAllText(file)).SequenceEqual(Entities(File.ReadAllText(other)));
            (same, differ) = equal ? (same + 1, differ) : (same, differ + 1);
        }

        return (same, differ);
    }

    // Entities as label|text|start|end, from either result shape (one span per entity, or "spans" lists).
    private static List<string> Entities(string json)
    {
        var list = new List<string>();
        foreach (JsonNode? e in JsonNode.Parse(json)!["entities"]!.AsArray())
        {
            if (e!["spans"] is JsonArray spans)
            {
                list.AddRange(spans.Select(s => $"{e["label"]}|{e["text"]}|{s![0]}|{s[1]}"));
            }
            else
            {
                list.Add($"{e["label"]}|{e["text"]}|{e["start"]}|{e["end"]}");
            }
        }

        return list.Order(StringComparer.Ordinal).ToList();
    }

    private static string Summary(string err) =>
        err.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Contains("documents,", StringComparison.Ordinal))
            ?? err.Trim().Split('\n')[^1];

    private static string S(double seconds) => seconds.ToString("F1", Inv);

    private static string Rate(int n, double seconds) => (n / seconds).ToString("F1", Inv);

    private static string P(int port) => port.ToString(Inv);

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
