using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using PaDeLLM.Model.Gpu.Kernels;

namespace PaDeLLM.Model.Gpu;

/// <summary>
/// The decoder's kernels compiled for one accelerator, and their launches: grid and group shapes
/// are chosen here, once, for every caller. <see cref="EntryPoints"/> lists every kernel as
/// compiled (generic ones for F32 and BF16 weights), so CI can compile each to PTX.
/// </summary>
public sealed class GpuKernels
{
    /// <summary>The kernels by name, in the order of a forward pass.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["embedding", "rmsnorm", "gemm", "skinny", "rope", "kv-store", "attention", "swiglu", "add", "gather",
            "argmax"];

    /// <summary>
    /// Most rows a matrix product takes through <see cref="GpuMatMul.Skinny"/> (a decode step's few sequences),
    /// where a tiled block would idle most of its threads: measured on an H200 (docs/bench/gpu.md).
    /// </summary>
    public const int SkinnyMaxRows = 64;

    private readonly GpuAccelerator _device;
    private readonly Action<Index1D, F32View, ArrayView<int>, ArrayView<float>, int> _embeddingF32;
    private readonly Action<Index1D, Bf16View, ArrayView<int>, ArrayView<float>, int> _embeddingBf16;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float> _rmsNorm;
    private readonly Action<KernelConfig, ArrayView<float>, F32View, ArrayView<float>, ArrayView<float>, int, int, int,
        int> _gemmF32, _skinnyF32;
    private readonly Action<KernelConfig, ArrayView<float>, Bf16View, ArrayView<float>, ArrayView<float>, int, int, int,
        int> _gemmBf16, _skinnyBf16;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int>
        _rope;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>,
        ArrayView<float>, int, long> _kvStore;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>,
        ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, long, int, float> _attention;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>> _swiGlu, _add;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int> _gather;
    private readonly Action<Index1D, ArrayView<float>, float, float> _nudge;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<int>, ArrayView<float>, int> _argmax;

    public GpuKernels(GpuAccelerator device)
    {
        _device = device;
        Accelerator a = device.Accelerator;
        _embeddingF32 = a.LoadAutoGroupedStreamKernel<Index1D, F32View, ArrayView<int>, ArrayView<float>, int>(
            GpuEmbedding.Kernel);
        _embeddingBf16 = a.LoadAutoGroupedStreamKernel<Index1D, Bf16View, ArrayView<int>, ArrayView<float>, int>(
            GpuEmbedding.Kernel);
        _rmsNorm = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(
            GpuRmsNorm.Kernel);
        _gemmF32 = MatMul<F32View>(a, GpuMatMul.Gemm);
        _skinnyF32 = MatMul<F32View>(a, GpuMatMul.Skinny);
        _gemmBf16 = MatMul<Bf16View>(a, GpuMatMul.Gemm);
        _skinnyBf16 = MatMul<Bf16View>(a, GpuMatMul.Skinny);
        _rope = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>,
            ArrayView<float>, int, int>(GpuRope.Kernel);
        _kvStore = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>,
            ArrayView<float>, ArrayView<float>, int, long>(GpuKvStore.Kernel);
        _attention = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>,
            ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int, long, int, float>(
            GpuTreeAttention.Kernel);
        _swiGlu = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuElementwise.SwiGlu);
        _add = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(GpuElementwise.Add);
        _gather = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int>(
            GpuElementwise.Gather);
        _nudge = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, float>(GpuElementwise.Nudge);
        _argmax = a.LoadStreamKernel<ArrayView<float>, ArrayView<int>, ArrayView<float>, int>(GpuArgmax.Kernel);
    }

    /// <summary>
    /// A kernel whose output is nudged (x · 1.01 + 0.01) after each launch: tests set it to show
    /// that the parity tests fail when that kernel is wrong.
    /// </summary>
    internal string? Perturbed { get; set; }

    /// <summary>Every kernel method as compiled, with whether it is explicitly grouped (shared memory).</summary>
    public static IEnumerable<(string Name, MethodInfo Method, bool ExplicitlyGrouped)> EntryPoints()
    {
        MethodInfo Generic(Type type, string name, Type view) => type.GetMethod(name)!.MakeGenericMethod(view);
        foreach ((string suffix, Type view) in new[] { ("f32", typeof(F32View)), ("bf16", typeof(Bf16View)) })
        {
            yield return (
                $"embedding-{suffix}", Generic(typeof(GpuEmbedding), nameof(GpuEmbedding.Kernel), view), false);
            yield return ($"gemm-{suffix}", Generic(typeof(GpuMatMul), nameof(GpuMatMul.Gemm), view), true);
            yield return ($"skinny-{suffix}", Generic(typeof(GpuMatMul), nameof(GpuMatMul.Skinny), view), true);
        }

        yield return ("rmsnorm", typeof(GpuRmsNorm).GetMethod(nameof(GpuRmsNorm.Kernel))!, true);
        yield return ("rope", typeof(GpuRope).GetMethod(nameof(GpuRope.Kernel))!, false);
        yield return ("kv-store", typeof(GpuKvStore).GetMethod(nameof(GpuKvStore.Kernel))!, false);
        yield return ("attention", typeof(GpuTreeAttention).GetMethod(nameof(GpuTreeAttention.Kernel))!, true);
        yield return ("swiglu", typeof(GpuElementwise).GetMethod(nameof(GpuElementwise.SwiGlu))!, false);
        yield return ("add", typeof(GpuElementwise).GetMethod(nameof(GpuElementwise.Add))!, false);
        yield return ("gather", typeof(GpuElementwise).GetMethod(nameof(GpuElementwise.Gather))!, false);
        yield return ("nudge", typeof(GpuElementwise).GetMethod(nameof(GpuElementwise.Nudge))!, false);
        yield return ("argmax", typeof(GpuArgmax).GetMethod(nameof(GpuArgmax.Kernel))!, true);
    }

    public void Embedding(DeviceMatrix table, ArrayView<int> ids, ArrayView<float> x, int rows)
    {
        long n = (long)rows * table.Cols;
        if (table.F32 is not null)
        {
            _embeddingF32((int)n, new F32View(table.F32.View), ids, x, table.Cols);
        }
        else
        {
            _embeddingBf16((int)n, new Bf16View(table.Bf16!.View), ids, x, table.Cols);
        }

        Perturb("embedding", x, n);
    }

    public void RmsNorm(ArrayView<float> x, ArrayView<float> weight, ArrayView<float> y, int rows, int d, float eps)
    {
        _rmsNorm(new KernelConfig(rows, _device.GroupSize), x, weight, y, d, eps);
        Perturb("rmsnorm", y, (long)rows * d);
    }

    /// <summary>y[m, N] = x[m, K] · Wᵀ (+ bias), through the kernel for m rows (or the one named).</summary>
    public void MatMul(ArrayView<float> x, DeviceMatrix w, ArrayView<float> bias, bool hasBias, ArrayView<float> y,
        int m, MatMulKernel kernel = MatMulKernel.Auto)
    {
        int n = w.Rows, k = w.Cols, flag = hasBias ? 1 : 0;
        bool skinny = kernel == MatMulKernel.Skinny || (kernel == MatMulKernel.Auto && m <= SkinnyMaxRows);
        int side = _device.Tile, block = GpuMatMul.Micro * side;
        KernelConfig config = skinny
            ? new KernelConfig(
                new Index2D((n + GpuMatMul.Micro - 1) / GpuMatMul.Micro, 1), new Index2D(_device.GroupSize, 1))
            : new KernelConfig(new Index2D((n + block - 1) / block, (m + block - 1) / block), new Index2D(side, side));
        if (w.F32 is not null)
        {
            (skinny ? _skinnyF32 : _gemmF32)(config, x, new F32View(w.F32.View), bias, y, m, n, k, flag);
        }
        else
        {
            (skinny ? _skinnyBf16 : _gemmBf16)(config, x, new Bf16View(w.Bf16!.View), bias, y, m, n, k, flag);
        }

        Perturb(skinny ? "skinny" : "gemm", y, (long)m * n);
    }

    public void Rope(ArrayView<float> x, ArrayView<int> positions, ArrayView<float> cos, ArrayView<float> sin,
        int rows, int heads, int headDim)
    {
        _rope(rows * heads * (headDim / 2), x, positions, cos, sin, heads, headDim);
        Perturb("rope", x, (long)rows * heads * headDim);
    }

    public void StoreKv(ArrayView<float> k, ArrayView<float> v, ArrayView<int> rowSlots, KvBlockPool pool, int layer,
        int rows)
    {
        Perturb("kv-store", k, (long)rows * pool.KvDim);
        _kvStore(rows * pool.KvDim, k, v, rowSlots, pool.Keys, pool.Values, pool.KvDim, pool.LayerStart(layer));
    }

    public void Attention(ArrayView<float> q, KvBlockPool pool, int layer, ArrayView<int> slots, ArrayView<int> start,
        ArrayView<int> count, ArrayView<float> scores, int scoreStride, ArrayView<float> output, int rows, int heads,
        int kvHeads, int headDim)
    {
        _attention(new KernelConfig(new Index2D(heads, rows), new Index2D(_device.GroupSize, 1)), q, pool.Keys,
            pool.Values, slots, start, count, scores, output, kvHeads, headDim, pool.LayerStart(layer), scoreStride,
            1f / MathF.Sqrt(headDim));
        Perturb("attention", output, (long)rows * heads * headDim);
    }

    public void SwiGlu(ArrayView<float> gate, ArrayView<float> up, long length)
    {
        _swiGlu((int)length, gate, up);
        Perturb("swiglu", gate, length);
    }

    public void Add(ArrayView<float> x, ArrayView<float> delta, long length)
    {
        _add((int)length, x, delta);
        Perturb("add", x, length);
    }

    public void Gather(ArrayView<float> source, ArrayView<int> rows, ArrayView<float> destination, int count, int width)
    {
        _gather(count * width, source, rows, destination, width);
        Perturb("gather", destination, (long)count * width);
    }

    public void Argmax(ArrayView<float> logits, ArrayView<int> tokens, ArrayView<float> logProbs, int rows, int vocab)
    {
        _argmax(new KernelConfig(rows, _device.GroupSize), logits, tokens, logProbs, vocab);
        Perturb("argmax", logProbs, rows);
    }

    private void Perturb(string kernel, ArrayView<float> output, long length)
    {
        if (Perturbed == kernel)
        {
            _nudge((int)length, output.SubView(0, length), 1.01f, 0.01f);
        }
    }

    private static Action<KernelConfig, ArrayView<float>, TW, ArrayView<float>, ArrayView<float>, int, int, int, int>
        MatMul<TW>(
            Accelerator a, Action<ArrayView<float>, TW, ArrayView<float>, ArrayView<float>, int, int, int, int> kernel)
        where TW : struct, IWeightView =>
        a.LoadStreamKernel(kernel);
}
