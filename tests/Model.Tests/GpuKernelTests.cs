using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Gpu;
using PaDeLLM.Model.Inference;
using PaDeLLM.Model.Kernels;
using PaDeLLM.Model.Numerics;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Model.Tests;

/// <summary>
/// The GPU backend's kernels one by one against the CPU engine's, on groups of 16 threads (the
/// fixture parity tests run 2-thread groups, which CI's two cores run fast); every kernel compiled
/// to PTX; and a perturbed kernel caught by the parity checks.
/// </summary>
public unsafe class GpuKernelTests
{
    private static float[] Random(int n, int seed, float scale = 1)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => ((float)rng.NextDouble() * 2 - 1) * scale).ToArray();
    }

    private static void Close(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"{what} index {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    private static GpuAccelerator SixteenThreads() => GpuAccelerator.Open(cpuOnly: true, cpu: new CPUDevice(4, 4, 1));

    [Theory]
    [InlineData(1, 37, 13, true)] // odd K: single loads in the skinny kernel
    [InlineData(3, 64, 5, false)]
    [InlineData(6, 38, 9, true)] // skinny: a second pass of four rows, two of them past m
    [InlineData(9, 37, 13, true)] // tiled: edges in every direction
    [InlineData(16, 64, 32, false)] // tiled: whole 16×16 blocks
    [InlineData(21, 70, 40, true)] // tiled: several blocks each way, ragged K
    public void MatMul_matches_the_cpu_kernel_through_both_kernels_in_f32_and_bf16(int m, int k, int n, bool bias)
    {
        using GpuAccelerator sixteen = SixteenThreads();
        Assert.Equal(16, sixteen.GroupSize);
        Assert.Equal(4, sixteen.Tile);
        MatMulMatches(sixteen, m, k, n, bias);

        // And on the parity tests' groups of two threads (one 2-lane warp): fewer threads than a block's sums.
        using GpuAccelerator two = GpuAccelerator.Open(cpuOnly: true);
        Assert.Equal(2, two.GroupSize);
        MatMulMatches(two, m, k, n, bias);
    }

    private static void MatMulMatches(GpuAccelerator device, int m, int k, int n, bool bias)
    {
        var kernels = new GpuKernels(device);
        Accelerator a = device.Accelerator;
        float[] x = Random(m * k, 1), w = Random(n * k, 2), b = bias ? Random(n, 3) : [];
        ushort[] w16 = w.Select(BFloat16.FromSingle).ToArray();
        foreach (DType type in new[] { DType.F32, DType.BF16 })
        {
            fixed (float* pw = w)
            fixed (ushort* pw16 = w16)
            {
                var weight = type == DType.F32 ? new Weight(pw, type, n, k) : new Weight(pw16, type, n, k);
                float[] expected = new float[m * n];
                MatMul.Forward(expected, x, weight, b, m);
                using var dw = new DeviceMatrix(a, weight);
                using var dx = a.Allocate1D(x);
                using var db = DeviceMatrix.Vector(a, b);
                foreach (MatMulKernel kernel in new[] { MatMulKernel.Skinny, MatMulKernel.Tiled })
                {
                    using var dy = a.Allocate1D<float>(m * n);
                    dy.MemSetToZero();
                    kernels.MatMul(dx.View, dw, db.View, bias, dy.View, m, kernel);
                    a.Synchronize();
                    Close(expected, dy.GetAsArray1D(), 1e-5f, $"{device.GroupSize} threads, {type} {kernel} m={m}");
                }
            }
        }
    }

    [Fact]
    public void RmsNorm_and_argmax_match_the_cpu_kernels()
    {
        using GpuAccelerator device = SixteenThreads();
        var kernels = new GpuKernels(device);
        Accelerator a = device.Accelerator;
        const int rows = 3, d = 70, vocab = 301;
        float[] x = Random(rows * d, 4, 3), w = Random(d, 5);
        float[] expected = new float[rows * d];
        RmsNorm.Forward(expected, x, w, rows, 1e-5f);
        using var dx = a.Allocate1D(x);
        using var dw = a.Allocate1D(w);
        using var dy = a.Allocate1D<float>(rows * d);
        kernels.RmsNorm(dx.View, dw.View, dy.View, rows, d, 1e-5f);
        a.Synchronize();
        Close(expected, dy.GetAsArray1D(), 1e-6f, "rmsnorm");

        // Row 1 has a tie, broken towards the first index as torch.argmax (and Sampling.Argmax) do.
        float[] logits = Random(rows * vocab, 6, 5);
        logits[vocab + 200] = 9;
        logits[vocab + 17] = 9;
        using var dl = a.Allocate1D(logits);
        using var tokens = a.Allocate1D<int>(rows);
        using var logProbs = a.Allocate1D<float>(rows);
        kernels.Argmax(dl.View, tokens.View, logProbs.View, rows, vocab);
        a.Synchronize();
        int[] chosen = tokens.GetAsArray1D();
        float[] lp = logProbs.GetAsArray1D();
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = logits.AsSpan(r * vocab, vocab);
            Assert.Equal(Sampling.Argmax(row), chosen[r]);
            Assert.Equal(Sampling.LogSoftmaxAt(row, chosen[r]), lp[r], 1e-5);
        }

        Assert.Equal(17, chosen[1]);
    }

    [SharedDataFact]
    public void The_fixture_models_match_golden_on_sixteen_thread_groups()
    {
        // Reductions and tiles of 16 threads, as on a GPU's wider groups (the parity tests use 2).
        Golden g = Golden.For("qwen2-tiny-tied-bf16");
        using var model = new DecoderModel(DecoderWeights.Load(g.Directory), SixteenThreads());
        KvCache cache = model.NewCache();
        float[] logits = model.Forward(g.InputIds.Take(1).Select(ids => new Segment(cache.CreateRoot(), ids)).ToList(),
            allPositions: true);
        double worst = logits.Select((l, i) => Math.Abs(l - g.Logits[i])).Max();
        Assert.True(worst <= 2e-4, $"max |logit - golden| = {worst:E2}");
    }

    /// <summary>The architectures the GPU host image is built for: its Dockerfile's label says them.</summary>
    public static TheoryData<string> Architectures()
    {
        string dockerfile = Path.Combine(SharedData.RepoRoot, "src", "GpuHost", "Dockerfile");
        string line = File.ReadLines(dockerfile)
            .Single(l => l.StartsWith("LABEL org.padellm.cuda-architectures=", StringComparison.Ordinal));
        return new(line.Split('"')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Every_kernel_compiles_to_ptx_without_a_gpu(string architecture)
    {
        var arch = (CudaArchitecture)typeof(CudaArchitecture).GetField(architecture)!.GetValue(null)!;
        using Context context = Context.Create(b => b.Default().EnableAlgorithms());
        var backend = new PTXBackend(context, new CudaCapabilityContext(arch), arch, CudaInstructionSet.ISA_85, null);
        var compiled = new List<string>();
        foreach ((string name, System.Reflection.MethodInfo method, bool grouped) in GpuKernels.EntryPoints())
        {
            EntryPointDescription entry = grouped
                ? EntryPointDescription.FromExplicitlyGroupedKernel(method)
                : EntryPointDescription.FromImplicitlyGroupedKernel(method);
            var ptx = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
            Assert.Contains(".entry", ptx.PTXAssembly, StringComparison.Ordinal);
            Assert.Contains(".target sm_", ptx.PTXAssembly, StringComparison.Ordinal);
            compiled.Add(name);
        }

        // Every kernel the decoder launches is among them, for both weight types where it takes weights.
        Assert.Equal(GpuKernels.Names.Count + 4, compiled.Count); // + nudge; embedding, gemm, skinny twice
    }

    public static TheoryData<string> KernelNames() => new(GpuKernels.Names);

    [SharedDataTheory]
    [MemberData(nameof(KernelNames))]
    public void A_perturbed_kernel_fails_the_parity_checks(string kernel)
    {
        Golden g = Golden.For("llama-tiny");
        using var model = new DecoderModel(DecoderWeights.Load(g.Directory), GpuAccelerator.Open(cpuOnly: true));
        model.Gpu!.Kernels.Perturbed = kernel;

        // The parity tests' two checks: every position's logits, and greedy tokens with their log-probabilities.
        KvCache cache = model.NewCache();
        float[] logits = model.Forward(g.InputIds.Select(ids => new Segment(cache.CreateRoot(), ids)).ToList(),
            allPositions: true);
        double worstLogit = logits.Select((l, i) => Math.Abs(l - g.Logits[i])).Max();
        GenerationResult r = new GreedyGenerator(model).Generate([new GenerationRequest(
            model.NewCache().CreateRoot(), g.GreedyPrompt, g.GreedyTokens.Length, GenerationRequest.NoStop)])[0];
        bool tokensDiffer = !r.Tokens.SequenceEqual(g.GreedyTokens);
        double worstLogProb = tokensDiffer ? double.PositiveInfinity
            : r.LogProbabilities.Select((l, i) => Math.Abs(l - g.GreedyLogProbs[i])).Max();
        Assert.True(worstLogit > 2e-4 || worstLogProb > 1e-4,
            $"{kernel} nudged by 1%: logits within {worstLogit:E2}, log-probabilities within {worstLogProb:E2}");
    }
}
