using ILGPU;

namespace PaDeLLM.Model.Gpu.Kernels;

/// <summary>
/// Y[M, N] = X[M, K] · Wᵀ (+ bias), W [N, K] as in a checkpoint (as <see cref="Model.Kernels.MatMul"/>).
/// <see cref="Gemm"/> (prefill, many rows): a group of S×S threads owns a 4S×4S block of Y, each thread
/// 4×4 outputs in registers; per step along K the group stages a 4S×S slab of X and of W in shared
/// memory, so each value read from shared memory serves four products and each read from device
/// memory 4S. <see cref="Skinny"/> (decode steps, a few rows): one group per four output columns walks
/// their rows of W once per four rows of X, its threads splitting K (so every warp of the device has
/// loads in flight), two weights a thread per load, each X value serving the four columns; sums meet
/// by shuffles within warps and through shared memory across them. A decode step streams its weights:
/// that is what bounds it.
/// </summary>
public static class GpuMatMul
{
    /// <summary>Largest group side S (S×S threads).</summary>
    public const int MaxSide = 16;

    /// <summary>Outputs per thread along each axis of the block.</summary>
    public const int Micro = 4;

    private const int MaxBlock = Micro * MaxSide;
    private const int Pitch = MaxBlock + 1; // shared rows padded: slab stores land in distinct banks

    public static void Gemm<TW>(
        ArrayView<float> x, TW w, ArrayView<float> bias, ArrayView<float> y, int m, int n, int k, int hasBias)
        where TW : struct, IWeightView
    {
        // Slabs stored K-major: xs[kk * Pitch + r] holds X[block row r, k0 + kk].
        ArrayView<float> xs = SharedMemory.Allocate<float>(MaxSide * Pitch);
        ArrayView<float> ws = SharedMemory.Allocate<float>(MaxSide * Pitch);
        int side = Group.DimX, block = Micro * side, threads = side * side;
        int tx = Group.IdxX, ty = Group.IdxY, t = (ty * side) + tx;
        int rowBase = Grid.IdxY * block, colBase = Grid.IdxX * block;
        Quad c0 = default, c1 = default, c2 = default, c3 = default; // c_i: row ty + i·S, columns tx + j·S
        for (int k0 = 0; k0 < k; k0 += side)
        {
            // Consecutive threads read consecutive k of one row: coalesced runs of S values.
            for (int e = t; e < block * side; e += threads)
            {
                int r = e / side, kk = e - (r * side), kAt = k0 + kk;
                int row = rowBase + r, wRow = colBase + r;
                xs[(kk * Pitch) + r] = row < m && kAt < k ? x[((long)row * k) + kAt] : 0f;
                ws[(kk * Pitch) + r] = wRow < n && kAt < k ? w.Load(((long)wRow * k) + kAt) : 0f;
            }

            Group.Barrier();
            for (int kk = 0; kk < side; kk++)
            {
                int at = kk * Pitch;
                var b = new Quad(ws[at + tx], ws[at + tx + side], ws[at + tx + (2 * side)], ws[at + tx + (3 * side)]);
                c0 = Quad.Fma(c0, xs[at + ty], b);
                c1 = Quad.Fma(c1, xs[at + ty + side], b);
                c2 = Quad.Fma(c2, xs[at + ty + (2 * side)], b);
                c3 = Quad.Fma(c3, xs[at + ty + (3 * side)], b);
            }

            Group.Barrier();
        }

        int col = colBase + tx;
        Store(y, bias, hasBias, c0, rowBase + ty, col, side, m, n);
        Store(y, bias, hasBias, c1, rowBase + ty + side, col, side, m, n);
        Store(y, bias, hasBias, c2, rowBase + ty + (2 * side), col, side, m, n);
        Store(y, bias, hasBias, c3, rowBase + ty + (3 * side), col, side, m, n);
    }

    /// <summary>Launched with 1-D groups of whole warps; grid X = ⌈N / 4⌉.</summary>
    public static void Skinny<TW>(
        ArrayView<float> x, TW w, ArrayView<float> bias, ArrayView<float> y, int m, int n, int k, int hasBias)
        where TW : struct, IWeightView
    {
        // partials[warp * 16 + column * 4 + row]: each warp's sums, added up across the group.
        ArrayView<float> partials = SharedMemory.Allocate<float>(GroupReduce.MaxGroup / 2 * Micro * Micro);
        int col = Grid.IdxX * Micro, t = Group.IdxX, threads = Group.DimX;
        int warps = threads / Warp.WarpSize, warp = Warp.WarpIdx;

        // Columns past n repeat the last one, rows past m the last row (always readable); neither is stored.
        long w0 = (long)col * k, w1 = (long)Math.Min(col + 1, n - 1) * k;
        long w2 = (long)Math.Min(col + 2, n - 1) * k, w3 = (long)Math.Min(col + 3, n - 1) * k;
        bool pairs = (k & 1) == 0; // rows of W start at even elements: pair loads stay aligned
        for (int r0 = 0; r0 < m; r0 += Micro)
        {
            long x0 = (long)r0 * k, x1 = (long)Math.Min(r0 + 1, m - 1) * k;
            long x2 = (long)Math.Min(r0 + 2, m - 1) * k, x3 = (long)Math.Min(r0 + 3, m - 1) * k;
            Quad s0 = default, s1 = default, s2 = default, s3 = default; // s_j: column col + j, four rows
            if (pairs)
            {
                for (int c = 2 * t; c < k; c += 2 * threads)
                {
                    var xa = new Quad(x[x0 + c], x[x1 + c], x[x2 + c], x[x3 + c]);
                    var xb = new Quad(x[x0 + c + 1], x[x1 + c + 1], x[x2 + c + 1], x[x3 + c + 1]);
                    w.LoadPair(w0 + c, out float a0, out float b0);
                    w.LoadPair(w1 + c, out float a1, out float b1);
                    w.LoadPair(w2 + c, out float a2, out float b2);
                    w.LoadPair(w3 + c, out float a3, out float b3);
                    s0 = Quad.Fma(Quad.Fma(s0, a0, xa), b0, xb);
                    s1 = Quad.Fma(Quad.Fma(s1, a1, xa), b1, xb);
                    s2 = Quad.Fma(Quad.Fma(s2, a2, xa), b2, xb);
                    s3 = Quad.Fma(Quad.Fma(s3, a3, xa), b3, xb);
                }
            }
            else
            {
                for (int c = t; c < k; c += threads)
                {
                    var xa = new Quad(x[x0 + c], x[x1 + c], x[x2 + c], x[x3 + c]);
                    s0 = Quad.Fma(s0, w.Load(w0 + c), xa);
                    s1 = Quad.Fma(s1, w.Load(w1 + c), xa);
                    s2 = Quad.Fma(s2, w.Load(w2 + c), xa);
                    s3 = Quad.Fma(s3, w.Load(w3 + c), xa);
                }
            }

            int at = warp * Micro * Micro;
            StorePartials(partials, at, WarpSum(s0));
            StorePartials(partials, at + Micro, WarpSum(s1));
            StorePartials(partials, at + (2 * Micro), WarpSum(s2));
            StorePartials(partials, at + (3 * Micro), WarpSum(s3));
            Group.Barrier();
            for (int o = t; o < Micro * Micro; o += threads) // groups of fewer than 16 threads take several
            {
                int row = r0 + (o % Micro), column = col + (o / Micro);
                float sum = 0;
                for (int v = 0; v < warps; v++)
                {
                    sum += partials[(v * Micro * Micro) + o];
                }

                if (row < m)
                {
                    StoreOne(y, bias, hasBias, sum, (long)row * n, column, n);
                }
            }

            Group.Barrier(); // the partials are written again by the next pass
        }
    }

    /// <summary>Lane 0 keeps its warp's four row sums of one column.</summary>
    private static void StorePartials(ArrayView<float> partials, int at, Quad sums)
    {
        if (Warp.LaneIdx == 0)
        {
            partials[at] = sums.A;
            partials[at + 1] = sums.B;
            partials[at + 2] = sums.C;
            partials[at + 3] = sums.D;
        }
    }

    /// <summary>Each of the four sums over the warp's lanes, in lane 0.</summary>
    private static Quad WarpSum(Quad value) =>
        new(WarpSum(value.A), WarpSum(value.B), WarpSum(value.C), WarpSum(value.D));

    /// <summary>The sum over the warp's lanes, in lane 0.</summary>
    private static float WarpSum(float value)
    {
        for (int delta = Warp.WarpSize / 2; delta > 0; delta >>= 1)
        {
            value += Warp.ShuffleDown(value, delta);
        }

        return value;
    }

    private static void Store(
        ArrayView<float> y, ArrayView<float> bias, int hasBias, Quad c, int row, int col, int side, int m, int n)
    {
        if (row >= m)
        {
            return;
        }

        long at = (long)row * n;
        StoreOne(y, bias, hasBias, c.A, at, col, n);
        StoreOne(y, bias, hasBias, c.B, at, col + side, n);
        StoreOne(y, bias, hasBias, c.C, at, col + (2 * side), n);
        StoreOne(y, bias, hasBias, c.D, at, col + (3 * side), n);
    }

    private static void StoreOne(ArrayView<float> y, ArrayView<float> bias, int hasBias, float v, long at, int col,
        int n)
    {
        if (col < n)
        {
            y[at + col] = hasBias != 0 ? v + bias[col] : v;
        }
    }

    /// <summary>Four accumulators (a row's four columns, or four rows' sums), kept in registers.</summary>
    private readonly struct Quad(float a, float b, float c, float d)
    {
        public float A { get; } = a;

        public float B { get; } = b;

        public float C { get; } = c;

        public float D { get; } = d;

        public static Quad Fma(Quad acc, float x, Quad w) =>
            new(acc.A + (x * w.A), acc.B + (x * w.B), acc.C + (x * w.C), acc.D + (x * w.D));
    }
}
