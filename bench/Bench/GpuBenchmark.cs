using System.Globalization;
using ILGPU;
using ILGPU.Runtime;
using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Gpu;
using PaDeLLM.Model.Gpu.Kernels;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Bench;

/// <summary>
/// The GPU backend's figures (scripts/device-check.sh runs this on a machine with an NVIDIA GPU):
/// the device's copy bandwidth, prefill GFLOP/s of a ~1.1B Llama in BF16, decode ms/step at batch
/// 1, 8 and 32 beside the weight-streaming bound, and the PaDeLLM request tree against naive
/// decoding; with <c>--fixtures DIR [--model DIR]</c>, the parity checks (<see cref="GpuParity"/>) after.
/// <c>--parity-only</c> skips the measurements; <c>--small</c> runs a tiny model instead, so the command
/// can be tried on ILGPU's CPU accelerator, where the figures say nothing about a GPU.
/// </summary>
internal static class GpuBenchmark
{
    private static string F(double x, string format = "F1") => x.ToString(format, CultureInfo.InvariantCulture);

    public static int Run(string[] args, string? outDir)
    {
        bool small = args.Contains("--small");
        string? Value(string name) =>
            Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        double? peakTflops = Value("--peak-tflops") is string peak
            ? double.Parse(peak, CultureInfo.InvariantCulture)
            : null;
        GpuAccelerator device = GpuAccelerator.Open();
        if (!device.IsCuda && !small)
        {
            device.Dispose();
            Console.Error.WriteLine("no CUDA device found: run on a machine with an NVIDIA GPU "
                + "(scripts/device-check.sh), or add --small for a smoke run on ILGPU's CPU accelerator");
            return 2;
        }

        var report = new Report();
        report.Line("# GPU backend benchmark");
        report.Line();
        string options = string.Join(' ', args.Skip(1));
        report.Line($"Command: `dotnet run -c Release --project bench/Bench -- gpu {options}`  ");
        report.Line($"Device: {device.Description}; ILGPU {typeof(Context).Assembly.GetName().Version}; "
            + $"groups of {device.GroupSize} threads, GEMM groups {device.Tile}×{device.Tile} "
            + $"({GpuMatMul.Micro * device.Tile}×{GpuMatMul.Micro * device.Tile} outputs); "
            + $"{DateTime.UtcNow:yyyy-MM-dd}");
        report.Line();

        if (args.Contains("--parity-only"))
        {
            device.Dispose();
        }
        else
        {
            Measure(report, device, small, peakTflops);
        }

        // The parity checks last, on models of their own, with the benchmark's device released.
        int failures = Value("--fixtures") is string fixtures ? GpuParity.Run(report, fixtures, Value("--model")) : 0;
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, small ? "gpu-small.md" : "gpu.md"), report.ToString());
        }

        return failures == 0 ? 0 : 1;
    }

    /// <summary>The benchmark proper, on the device given (disposed with the model).</summary>
    private static void Measure(Report report, GpuAccelerator device, bool small, double? peakTflops)
    {
        double bandwidth = CopyBandwidth(device.Accelerator, small ? 16L << 20 : 1L << 30);
        report.Line($"Measured device copy bandwidth: **{F(bandwidth)} GB/s** "
            + "(read + write of one buffer into another).");
        report.Line();

        MatMulKernels(report, device, small);
        ModelConfig config = small ? Tiny : BenchModels.Llama1B();
        var weights = DecoderWeights.Random(config, DType.BF16, seed: 1);
        using var model = new DecoderModel(weights, device); // owns the device from here on
        string shape = small ? "a tiny Llama" : "~1.1B Llama";
        report.Line($"## {shape} ({weights.ParameterCount / 1e6:F1}M parameters), BF16 weights");
        report.Line();

        int prefillTokens = small ? 32 : 512;
        int[] prompt = Enumerable.Range(0, prefillTokens).Select(i => (i * 37 % (config.VocabSize - 1)) + 1).ToArray();
        double prefill = Timing.Median(
            () => model.Forward([new Segment(model.NewCache().CreateRoot(), prompt)]), warmup: 1, minSeconds: 1);
        double flops = (2.0 * (weights.ParameterCount - ((long)config.VocabSize * config.HiddenSize)) * prefillTokens)
            + (2.0 * config.Layers * config.QDim * prefillTokens * prefillTokens);
        double gflops = flops / prefill / 1e9;
        report.Line($"Prefill of {prefillTokens} tokens: {F(prefill * 1e3)} ms, **{F(gflops)} GFLOP/s**"
            + (peakTflops is double p
                ? $", {F(100 * gflops / (p * 1e3))}% of the {F(p, "F0")} TFLOP/s BF16 dense peak."
                : "."));
        report.Line();

        int context = small ? 16 : 64;
        double boundMs = weights.MatrixBytes / (bandwidth * 1e9) * 1e3;
        var rows = new List<string[]>();
        foreach (int batch in small ? new[] { 1, 8 } : [1, 8, 32])
        {
            double seconds = EngineBenchmark.DecodeStepSeconds(model, prompt, batch, context);
            rows.Add([batch.ToString(CultureInfo.InvariantCulture), F(seconds * 1e3, "F2"), F(batch / seconds),
                F(seconds * 1e3 / boundMs, "F2") + "×"]);
        }

        report.Line($"Decode steps (context {context}): weight-streaming bound {F(boundMs, "F2")} ms/step "
            + $"({weights.MatrixBytes / 1e6:F0} MB of matrices at {F(bandwidth)} GB/s).");
        report.Line();
        report.Table(["batch", "ms/step", "tokens/s", "step / bound"], rows);
        EngineBenchmark.TreeVersusNaive(report, model, $"{shape}, BF16, GPU backend");
    }

    /// <summary>
    /// Both matrix-product kernels on one BF16 weight of the 1.1B model's MLP (5,632 × 2,048) at growing row
    /// counts: what <see cref="GpuKernels.SkinnyMaxRows"/> is chosen from.
    /// </summary>
    private static unsafe void MatMulKernels(Report report, GpuAccelerator device, bool small)
    {
        int n = small ? 96 : 5632, k = small ? 64 : 2048;
        Accelerator a = device.Accelerator;
        var kernels = new GpuKernels(device);
        var rng = new Random(3);
        ushort[] w = Enumerable.Range(0, n * k).Select(_ => BFloat16.FromSingle((float)rng.NextDouble() - 0.5f))
            .ToArray();
        var rows = new List<string[]>();
        fixed (ushort* pw = w)
        {
            using var weight = new DeviceMatrix(a, new Weight(pw, DType.BF16, n, k));
            foreach (int m in small ? new[] { 1, 8, 32 } : [1, 4, 8, 16, 32, 64, 128, 512])
            {
                using MemoryBuffer1D<float, Stride1D.Dense> x = a.Allocate1D<float>((long)m * k);
                using MemoryBuffer1D<float, Stride1D.Dense> y = a.Allocate1D<float>((long)m * n);
                x.MemSetToZero();
                double Time(MatMulKernel kernel) => Timing.Median(
                    () =>
                    {
                        kernels.MatMul(x.View, weight, y.View, false, y.View, m, kernel);
                        a.Synchronize();
                    },
                    warmup: 2,
                    minSeconds: 0.2);
                double skinny = Time(MatMulKernel.Skinny), tiled = Time(MatMulKernel.Tiled);
                double best = Math.Min(skinny, tiled);
                rows.Add([m.ToString(CultureInfo.InvariantCulture), F(skinny * 1e6), F(tiled * 1e6),
                    F(tiled / skinny, "F2") + "×", F((double)n * k * 2 / best / 1e9),
                    F(2.0 * m * n * k / best / 1e12, "F2")]);
            }
        }

        report.Line($"### Matrix-product kernels: {n} × {k} BF16 weight, X of m rows (auto: skinny up to "
            + $"{GpuKernels.SkinnyMaxRows} rows)");
        report.Line();
        report.Table(["m", "skinny µs", "tiled µs", "tiled / skinny", "weight GB/s (best)", "TFLOP/s (best)"], rows);
    }

    /// <summary>The --small shape, for ILGPU's CPU accelerator.</summary>
    private static ModelConfig Tiny => BenchModels.Shipped(512) with
    {
        HiddenSize = 64,
        IntermediateSize = 176,
        Layers = 2,
        HeadDim = 16,
    };

    /// <summary>GB/s of a device-to-device copy (bytes read plus bytes written), the median of several.</summary>
    private static double CopyBandwidth(Accelerator accelerator, long bytes)
    {
        using MemoryBuffer1D<float, Stride1D.Dense> source = accelerator.Allocate1D<float>(bytes / sizeof(float));
        using MemoryBuffer1D<float, Stride1D.Dense> target = accelerator.Allocate1D<float>(bytes / sizeof(float));
        double seconds = Timing.Median(
            () =>
            {
                source.View.CopyTo(target.View);
                accelerator.Synchronize();
            },
            warmup: 2,
            minSeconds: 0.5);
        return 2.0 * bytes / seconds / 1e9;
    }
}
