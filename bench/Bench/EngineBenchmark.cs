using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Model.Kernels;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Bench;

/// <summary>
/// The engine's figures in one run: memory bandwidth, GEMM against OpenBLAS, attention against
/// per-key library calls, prefill and decode of a ~100M Llama in F32 and BF16 beside the
/// weight-streaming bound, tree against naive decoding of a CoNLL-like PaDeLLM request, and peak
/// memory (in a child process).
/// </summary>
internal static unsafe class EngineBenchmark
{
    private static string F(double x, string format = "F1") => x.ToString(format, CultureInfo.InvariantCulture);

    public static int Run(string? outDir)
    {
        var report = new Report();
        report.Line("# Engine benchmark");
        report.Line();
        report.Line($"Command: `dotnet run -c Release --project bench/Bench -- "
            + $"engine{(outDir is null ? "" : " --out " + outDir)}`  ");
        report.Line($"Machine: {CpuName()}, {Environment.ProcessorCount} cores, "
            + $"{(Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : "scalar")} "
            + $"kernels, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}");
        report.Line();

        double bandwidth = MemoryBandwidth.MeasureGBps();
        report.Line($"Measured read bandwidth: **{F(bandwidth)} GB/s** ({Environment.ProcessorCount} threads "
            + $"summing 512 MiB).");
        report.Line();
        Timing.Settle();

        var gemmBars = Gemm(report);
        Timing.Settle();
        AttentionBenchmark.Run(report);
        ModelConfig config = BenchModels.Llama100M();
        var decode = new List<(string, double)>();
        foreach (DType type in new[] { DType.F32, DType.BF16 })
        {
            using var weights = DecoderWeights.Random(config, type, seed: 1);
            using var model = new DecoderModel(weights);
            Timing.Settle();
            ModelFigures(report, model, type, bandwidth, decode);
        }

        List<(string, double)> tree;
        using (var weights = DecoderWeights.Random(config, DType.BF16, seed: 2))
        using (var model = new DecoderModel(weights))
        {
            Timing.Settle();
            tree = TreeVersusNaive(report, model);
        }

        PeakMemory(report);

        report.Line("## Notes");
        report.Line();
        report.Line("- Each figure is the median of repeated runs after a warm-up of at least one "
            + "second (tiered JIT).");
        report.Line("- The decode bound divides the matrices' bytes by read bandwidth measured just before (one "
            + "pass over 256 MiB).");
        report.Line("  A ratio a little under 1 is possible: some 30 MB of weights stay in L3 between steps.");
        report.Line("- This machine's vCPUs are shared: runs of this command have varied by up to ±20% per figure.");
        report.Line("- OpenBLAS is timed after all of our GEMMs, then left idle: its threads "
            + "busy-wait after each call.");
        report.Line();

        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, "engine.md"), report.ToString());
            File.WriteAllText(Path.Combine(outDir, "engine-gemm.svg"),
                SvgBarChart.Render("GEMM, prefill shapes (higher is better)", "GFLOP/s", gemmBars));
            File.WriteAllText(Path.Combine(outDir, "engine-tree.svg"),
                SvgBarChart.Render("CoNLL-like PaDeLLM request, 100M BF16 (lower is better)", "ms", tree));
            File.WriteAllText(Path.Combine(outDir, "engine-decode.svg"),
                SvgBarChart.Render("Decode step, 100M model (lower is better)", "ms", decode));
            Console.WriteLine($"wrote {outDir}/engine.md and three SVG charts");
        }

        return 0;
    }

    public static int GemmOnly()
    {
        Gemm(new Report());
        return 0;
    }

    private static List<(string, double)> Gemm(Report report)
    {
        bool blas = OpenBlas.Available;
        if (blas)
        {
            OpenBlas.SetThreads(Environment.ProcessorCount);
        }

        report.Line("## GEMM: Y = X·Wᵀ at prefill shapes");
        report.Line();
        var rows = new List<string[]>();
        var bars = new List<(string, double)>();
        var rng = new Random(3);
        // the shipped models' shapes (hidden 256 and 384), then a ~100M model's
        (int M, int K, int N)[] shapes =
            [(64, 256, 688), (64, 384, 1024), (128, 768, 768), (128, 768, 2048), (128, 2048, 768), (512, 768, 2048)];
        var operands = shapes.Select(s =>
        {
            float[] x = Enumerable.Range(0, s.M * s.K).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            float[] w = Enumerable.Range(0, s.N * s.K).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            var wb = new ushort[w.Length];
            BFloat16.FromSingle(w, wb);
            return (X: x, W: w, Wb: wb, Y: new float[s.M * s.N]);
        }).ToArray();

        // Ours for every shape first, then OpenBLAS: its worker threads busy-wait after each call
        // and would steal our cores if the two were interleaved.
        var ours = new double[shapes.Length];
        var oursBf16 = new double[shapes.Length];
        var theirs = Enumerable.Repeat(double.NaN, shapes.Length).ToArray();
        for (int s = 0; s < shapes.Length; s++)
        {
            (int m, int k, int n) = shapes[s];
            double flops = 2.0 * m * n * k;
            fixed (float* px = operands[s].X, pw = operands[s].W, py = operands[s].Y)
            fixed (ushort* pwb = operands[s].Wb)
            {
                nint xp = (nint)px, yp = (nint)py;
                var wf = new Weight(pw, DType.F32, n, k);
                var wbf = new Weight(pwb, DType.BF16, n, k);
                ours[s] = flops / Timing.Median(() => MatMul.Forward((float*)yp, (float*)xp, wf, null, m)) / 1e9;
                oursBf16[s] = flops / Timing.Median(() => MatMul.Forward((float*)yp, (float*)xp, wbf, null, m)) / 1e9;
            }
        }

        if (blas)
        {
            for (int s = 0; s < shapes.Length; s++)
            {
                (int m, int k, int n) = shapes[s];
                fixed (float* px = operands[s].X, pw = operands[s].W, py = operands[s].Y)
                {
                    nint xp = (nint)px, wp = (nint)pw, yp = (nint)py;
                    theirs[s] = 2.0 * m * n * k / Timing.Median(() =>
                        OpenBlas.MatMulNT((float*)yp, (float*)xp, (float*)wp, m, k, n)) / 1e9;
                }
            }

            Thread.Sleep(2000); // let OpenBLAS's spinning threads go idle before anything else is timed
        }

        for (int s = 0; s < shapes.Length; s++)
        {
            (int m, int k, int n) = shapes[s];
            rows.Add([$"{m}×{k} · ({n}×{k})ᵀ", F(ours[s]), F(oursBf16[s]), blas ? F(theirs[s]) : "n/a",
                blas ? F(ours[s] / theirs[s], "F2") + "×" : "n/a"]);
            bars.Add(($"{m}x{k}x{n} ours F32", ours[s]));
            bars.Add(($"{m}x{k}x{n} ours BF16 weights", oursBf16[s]));
            if (blas)
            {
                bars.Add(($"{m}x{k}x{n} OpenBLAS F32", theirs[s]));
            }
        }

        report.Table(["shape (M×K · (N×K)ᵀ)", "ours F32 GFLOP/s", "ours BF16-weights GFLOP/s", "OpenBLAS sgemm GFLOP/s",
            "ours / OpenBLAS"], rows);
        if (!blas)
        {
            report.Line("OpenBLAS not found (apt-get install libopenblas0): no ratio.");
            report.Line();
        }

        return bars;
    }

    private static void ModelFigures(Report report, DecoderModel model, DType type, double bandwidth,
        List<(string, double)> decodeBars)
    {
        ModelConfig c = model.Config;
        report.Line($"## ~100M Llama ({model.Weights.ParameterCount / 1e6:F1}M parameters), {type.Name()} weights");
        report.Line();

        const int prefillTokens = 128;
        int[] prompt = Enumerable.Range(0, prefillTokens).Select(i => (i * 37 % (c.VocabSize - 1)) + 1).ToArray();
        double prefill = Timing.Median(() => model.Forward([new Segment(model.NewCache().CreateRoot(), prompt)]),
            warmup: 1, minSeconds: 1);
        long matrixParams = model.Weights.Layers.Sum(l =>
            (long)l.Q.Rows * l.Q.Cols + (long)l.K.Rows * l.K.Cols + (long)l.V.Rows * l.V.Cols
            + (long)l.O.Rows * l.O.Cols + (3L * l.Gate.Rows * l.Gate.Cols));
        double prefillFlops = (2.0 * matrixParams * prefillTokens)
            + (2.0 * c.Layers * c.QDim * prefillTokens * prefillTokens) + (2.0 * c.VocabSize * c.HiddenSize);
        report.Line($"Prefill of {prefillTokens} tokens: {F(prefill * 1e3)} ms, "
            + $"**{F(prefillFlops / prefill / 1e9)} GFLOP/s**.");
        report.Line();

        // The bound uses bandwidth measured just now: this machine's vCPUs are shared, so a figure
        // from minutes ago may describe other conditions than the decode steps timed next.
        Timing.Settle();
        bandwidth = MemoryBandwidth.MeasureGBps(1L << 28);
        double boundMs = model.Weights.MatrixBytes / (bandwidth * 1e9) * 1e3;
        var rows = new List<string[]>();
        foreach (int batch in new[] { 1, 8, 32 })
        {
            double seconds = DecodeStepSeconds(model, prompt, batch, context: 64);
            rows.Add([batch.ToString(CultureInfo.InvariantCulture), F(seconds * 1e3, "F2"),
                F(seconds * 1e3 / batch, "F2"), F(batch / seconds),
                batch == 1 ? F(seconds * 1e3 / boundMs, "F2") + "×" : ""]);
            decodeBars.Add(($"{type.Name()} batch {batch}", seconds * 1e3));
        }

        report.Line($"Decode steps (context 64): weight-streaming bound {F(boundMs, "F2")} ms/step "
            + $"({model.Weights.MatrixBytes / 1e6:F0} MB of matrices at {F(bandwidth)} GB/s).");
        report.Line();
        report.Table(["batch", "ms/step", "ms/token", "tokens/s", "batch-1 step / bound"], rows);
    }

    /// <summary>
    /// Median seconds of one decode step of <paramref name="batch"/> sequences at a fixed context: each
    /// timed step appends one token to every sequence and rolls it back.
    /// </summary>
    internal static double DecodeStepSeconds(DecoderModel model, int[] prompt, int batch, int context)
    {
        KvCache cache = model.NewCache();
        var nodes = Enumerable.Range(0, batch).Select(_ => cache.CreateRoot()).ToArray();
        model.Forward(nodes.Select(n => new Segment(n, prompt[..context])).ToList());
        int step = 0;
        return Timing.Median(
            () =>
            {
                model.Forward(nodes.Select(n => new Segment(n, [prompt[step++ % prompt.Length]])).ToList());
                foreach (KvNode n in nodes)
                {
                    n.Truncate(context);
                }
            },
            warmup: 2,
            minSeconds: 1.5,
            maxRuns: 60);
    }

    /// <summary>
    /// A CoNLL-like request: a 60-token text, 4 labels (counts of 2 tokens), 6 mentions of 5
    /// tokens + EOS. Lengths are forced (random weights): counts 2 new tokens, mentions 6.
    /// </summary>
    internal static List<(string, double)> TreeVersusNaive(Report report, DecoderModel model,
        string title = "100M, BF16")
    {
        int vocab = model.Config.VocabSize;
        var rng = new Random(4);
        int[] Tokens(int n) => Enumerable.Range(0, n).Select(_ => rng.Next(3, vocab)).ToArray();
        int[] text = Tokens(60);
        // "\nentity type:\nORG\n\n<num>"-like
        int[][] labelPrompts = Enumerable.Range(0, 4).Select(_ => Tokens(6)).ToArray();
        int[] mentionsPerLabel = [2, 1, 0, 3];
        int[] CountPrompt(int l) => [.. text, .. labelPrompts[l]];
        int[][] markers = [Tokens(4), Tokens(4), Tokens(4)]; // "<mention k>"

        // Ours: text once; label branches batched; counts committed; mention branches batched.
        double treeSeconds = Timing.Median(
            () =>
            {
                var gen = new GreedyGenerator(model);
                KvNode root = model.NewCache().CreateRoot();
                gen.Prefill([new Segment(root, text)]);
                var counts = gen.Generate(
                    labelPrompts.Select(p => new GenerationRequest(root, p, 2, GenerationRequest.NoStop)).ToList());
                var leaves = gen.CommitLastTokens(counts);
                var requests = new List<GenerationRequest>();
                for (int l = 0; l < 4; l++)
                {
                    for (int k = 0; k < mentionsPerLabel[l]; k++)
                    {
                        requests.Add(new GenerationRequest(leaves[l], markers[k], 6, GenerationRequest.NoStop));
                    }
                }

                gen.Generate(requests);
            },
            warmup: 1,
            minSeconds: 2);

        // The paper's single-device code: all counts in one batch, then all mentions in one batch,
        // every row re-encoding the whole prompt (no shared prefix).
        double batchedSeconds = Timing.Median(
            () =>
            {
                var gen = new GreedyGenerator(model);
                var counts = gen.Generate(Enumerable.Range(0, 4)
                    .Select(l => new GenerationRequest(model.NewCache().CreateRoot(), CountPrompt(l), 2,
                    GenerationRequest.NoStop)).ToList());
                var requests = new List<GenerationRequest>();
                for (int l = 0; l < 4; l++)
                {
                    for (int k = 0; k < mentionsPerLabel[l]; k++)
                    {
                        requests.Add(new GenerationRequest(model.NewCache().CreateRoot(),
                            [.. CountPrompt(l), .. counts[l].Tokens, .. markers[k]], 6, GenerationRequest.NoStop));
                    }
                }

                gen.Generate(requests);
            },
            warmup: 1,
            minSeconds: 2);

        // Naive: every sequence decoded alone, one after another, from scratch.
        double naiveSeconds = Timing.Median(
            () =>
            {
                var gen = new GreedyGenerator(model);
                for (int l = 0; l < 4; l++)
                {
                    var count = gen.Generate(
                        [new GenerationRequest(model.NewCache().CreateRoot(), CountPrompt(l), 2,
                        GenerationRequest.NoStop)])[0];
                    for (int k = 0; k < mentionsPerLabel[l]; k++)
                    {
                        gen.Generate([new GenerationRequest(model.NewCache().CreateRoot(),
                            [.. CountPrompt(l), .. count.Tokens, .. markers[k]], 6, GenerationRequest.NoStop)]);
                    }
                }
            },
            warmup: 1,
            minSeconds: 2);

        report.Line($"## PaDeLLM request: tree decoding against naive decoding ({title})");
        report.Line();
        report.Line("A CoNLL-like request: 60-token text, 4 labels, 6 mentions of 5 tokens + EOS (lengths forced).");
        report.Line();
        report.Table(
            ["mode", "ms/request", "naive / mode"],
            [
                ["naive: each of the 10 sequences alone, from scratch", F(naiveSeconds * 1e3), "1.00×"],
                ["paper's batching: counts batched, mentions batched, text re-encoded per row", F(batchedSeconds * 1e3),
                    F(naiveSeconds / batchedSeconds, "F2") + "×"],
                ["ours: prefix tree (text once, label branches, mention branches)", F(treeSeconds * 1e3),
                    F(naiveSeconds / treeSeconds, "F2") + "×"],
            ]);
        return [("naive", naiveSeconds * 1e3), ("paper batching", batchedSeconds * 1e3),
            ("prefix tree", treeSeconds * 1e3)];
    }

    private static void PeakMemory(Report report)
    {
        // Under the dotnet host the assembly path comes first; an apphost takes the command directly.
        bool host = Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet";
        string[] childArgs = host ? [typeof(EngineBenchmark).Assembly.Location, "memory"] : ["memory"];
        var psi = new ProcessStartInfo(Environment.ProcessPath!, childArgs)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using Process child = Process.Start(psi)!;
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith("PEAK_MB=", StringComparison.Ordinal));
        report.Line("## Peak memory");
        report.Line();
        report.Line(line is null
            ? "Peak memory: child process failed: " + output
            : $"A fresh process holding the 100M BF16 model and serving the request above: peak resident set "
            + $"**{line["PEAK_MB=".Length..].Trim()} MB**.");
        report.Line();
    }

    /// <summary>Child process: load the BF16 model, serve one request, report peak RSS.</summary>
    public static int Memory()
    {
        ModelConfig config = BenchModels.Llama100M();
        using var weights = DecoderWeights.Random(config, DType.BF16, seed: 2);
        using var model = new DecoderModel(weights);
        var gen = new GreedyGenerator(model);
        KvNode root = model.NewCache().CreateRoot();
        gen.Prefill([new Segment(root, Enumerable.Range(3, 60).ToArray())]);
        var counts = gen.Generate(Enumerable.Range(0, 4)
            .Select(l => new GenerationRequest(root, [100 + l, 7, 8], 2, GenerationRequest.NoStop)).ToList());
        var leaves = gen.CommitLastTokens(counts);
        gen.Generate(leaves.Select(n => new GenerationRequest(n, [50, 51], 6, GenerationRequest.NoStop)).ToList());
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine($"PEAK_MB={self.PeakWorkingSet64 / (1024.0 * 1024.0):F0}");
        return 0;
    }

    private static string CpuName()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
