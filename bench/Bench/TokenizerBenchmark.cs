using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PaDeLLM.Tokenizers.SentencePiece;

namespace PaDeLLM.Bench;

/// <summary>
/// Encodes the CoNLL-2003 training text with the llama2 tokenizer.model, and runs the
/// sentencepiece library (Debian python3-sentencepiece) on the same file and text, so the two
/// figures come from one run. Both sequentially (one call per sentence, one thread) and batched.
/// </summary>
internal static class TokenizerBenchmark
{
    public static int Run(string? outDir)
    {
        string shared = Path.GetFullPath(Environment.GetEnvironmentVariable("PADELLM_SHARED")
            ?? Path.Combine("..", "shared"));
        string model = Path.Combine(shared, "fixtures", "tokenizers", "llama2", "tokenizer.model");
        string data = Path.Combine(shared, "data", "padellm", "conll03", "train.json");
        List<string> texts = File.ReadLines(data).Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement[0].GetString()!).ToList();
        var tokenizer = SentencePieceTokenizer.Load(model);

        long tokens = texts.Sum(t => (long)tokenizer.Encode(t).Length); // warm-up and the count
        double sequential = Best(() =>
        {
            foreach (string t in texts)
            {
                tokenizer.Encode(t);
            }
        });
        double batch = Best(() => Parallel.ForEach(texts, t => tokenizer.Encode(t)));

        string textFile = Path.Combine(Path.GetTempPath(), "padellm-conll03-train.txt");
        File.WriteAllText(textFile, string.Join('\n', texts));
        string? spm = RunSentencePiece(model, textFile);

        var report = new Report();
        report.Line("# Tokenizer benchmark");
        report.Line();
        report.Line($"Command: `dotnet run -c Release --project bench/Bench -- "
            + $"tokenizer{(outDir is null ? "" : " --out " + outDir)}` (needs Debian `python3-sentencepiece`)  ");
        report.Line($"Text: CoNLL-2003 train, {texts.Count:N0} sentences; tokenizer: llama2 `tokenizer.model`; "
            + $"{Environment.ProcessorCount} cores; {DateTime.UtcNow:yyyy-MM-dd}");
        report.Line();
        var rows = new List<string[]>();
        double oursSeq = tokens / sequential, oursBatch = tokens / batch;
        if (spm is not null)
        {
            var f = spm.Split(' ').Skip(1).Select(kv => kv.Split('='))
                .ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture));
            rows.Add(["one call per sentence, one thread", F(oursSeq), F(f["sequential"]),
                F(oursSeq / f["sequential"], "F2") + "×"]);
            rows.Add([$"whole corpus, {Environment.ProcessorCount} threads", F(oursBatch), F(f["batch"]),
                F(oursBatch / f["batch"], "F2") + "×"]);
            report.Table(["mode", "ours tokens/s", "sentencepiece tokens/s", "ours / sentencepiece"], rows);
            report.Line($"Tokens: ours {tokens:N0}, sentencepiece {f["tokens"]:N0} "
                + $"({(f["tokens"] == tokens ? "identical counts" : "COUNTS DIFFER")}).");
        }
        else
        {
            report.Table(["mode", "ours tokens/s"],
                [["one call per sentence, one thread", F(oursSeq)], ["batched", F(oursBatch)]]);
            report.Line("sentencepiece not available (apt-get install python3-sentencepiece): no ratio.");
        }

        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, "tokenizer.md"), report.ToString());
        }

        return 0;
    }

    private static double Best(Action action)
    {
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }

        return best;
    }

    private static string? RunSentencePiece(string model, string textFile)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "sentencepiece_speed.py");
        try
        {
            using Process p = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script, model, textFile])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0
                ? output.Split('\n').FirstOrDefault(l => l.StartsWith("SPM ", StringComparison.Ordinal)) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string F(double x, string format = "N0") => x.ToString(format, CultureInfo.InvariantCulture);
}
