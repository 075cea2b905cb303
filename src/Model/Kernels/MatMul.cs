using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Model.Kernels;

/// <summary>
/// Y[M, N] = X[M, K] · Wᵀ (+ bias), W being [N, K] as stored in a checkpoint. Both operands
/// are K-contiguous, so the micro-kernel is a block of up to 4 rows × 4 columns of dot products held in
/// vector accumulators: each step loads 4 W vectors and a row's X vector per 4 FMAs. Threads split N;
/// each walks all of M against its slice of W so the slice stays in cache across rows.
/// </summary>
public static unsafe class MatMul
{
    private const int ColumnsPerTask = 64;

    public static void Forward(float* y, float* x, in Weight w, float* bias, int m)
    {
        if (w.Type == DType.F32)
        {
            Run<F32Loader>(y, x, w.Data, bias, m, w.Cols, w.Rows);
        }
        else
        {
            Run<Bf16Loader>(y, x, w.Data, bias, m, w.Cols, w.Rows);
        }
    }

    public static void Forward(Span<float> y, ReadOnlySpan<float> x, in Weight w, ReadOnlySpan<float> bias, int m)
    {
        if (x.Length < (long)m * w.Cols || y.Length < (long)m * w.Rows || (!bias.IsEmpty && bias.Length < w.Rows))
        {
            throw new ArgumentException("buffer too small for the matmul shape");
        }

        fixed (float* py = y, px = x, pb = bias)
        {
            Forward(py, px, w, bias.IsEmpty ? null : pb, m);
        }
    }

    /// <summary>One output of <see cref="ForwardShared"/>: Y = X · Wᵀ (+ bias).</summary>
    public readonly record struct Job(nint Output, Weight Weight, nint Bias);

    /// <summary>
    /// Several products of one input (Q, K and V; gate and up) in a single parallel region, so a
    /// decode step pays for fewer fork/joins.
    /// </summary>
    public static void ForwardShared(float* x, int m, ReadOnlySpan<Job> jobs)
    {
        int k = jobs[0].Weight.Cols;
        var starts = new int[jobs.Length + 1];
        for (int j = 0; j < jobs.Length; j++)
        {
            if (jobs[j].Weight.Cols != k)
            {
                throw new ArgumentException("all products of a shared input need the same K");
            }

            starts[j + 1] = starts[j] + ((jobs[j].Weight.Rows + ColumnsPerTask - 1) / ColumnsPerTask);
        }

        Job[] all = jobs.ToArray();
        nint px = (nint)x;
        KernelPool.For(starts[^1], t =>
        {
            int j = Array.FindLastIndex(starts, s => s <= t);
            Job job = all[j];
            int j0 = (t - starts[j]) * ColumnsPerTask;
            int j1 = Math.Min(job.Weight.Rows, j0 + ColumnsPerTask);
            float* output = (float*)job.Output, bias = (float*)job.Bias;
            if (job.Weight.Type == DType.F32)
            {
                Slice<F32Loader>(output, (float*)px, job.Weight.Data, bias, m, k, job.Weight.Rows, j0, j1);
            }
            else
            {
                Slice<Bf16Loader>(output, (float*)px, job.Weight.Data, bias, m, k, job.Weight.Rows, j0, j1);
            }
        });
    }

    private static void Run<TLoad>(float* y, float* x, void* w, float* bias, int m, int k, int n)
        where TLoad : struct, IWeightLoader
    {
        int tasks = (n + ColumnsPerTask - 1) / ColumnsPerTask;
        long work = (long)m * n * k;
        if (tasks == 1 || work < 1 << 16)
        {
            Slice<TLoad>(y, x, w, bias, m, k, n, 0, n);
            return;
        }

        nint py = (nint)y, px = (nint)x, pw = (nint)w, pb = (nint)bias;
        KernelPool.For(tasks, t =>
        {
            int j0 = t * ColumnsPerTask;
            Slice<TLoad>((float*)py, (float*)px, (void*)pw, (float*)pb, m, k, n, j0, Math.Min(n, j0 + ColumnsPerTask));
        });
    }

    private static void Slice<TLoad>(float* y, float* x, void* w, float* bias, int m, int k, int n, int j0, int j1)
        where TLoad : struct, IWeightLoader
    {
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            Columns<TLoad, FourRows>(y, x, w, bias, k, n, i, j0, j1);
        }

        // The last one to three rows in one pass over the weights too: a decode step's batch is often that small.
        switch (m - i)
        {
            case 3:
                Columns<TLoad, ThreeRows>(y, x, w, bias, k, n, i, j0, j1);
                break;
            case 2:
                Columns<TLoad, TwoRows>(y, x, w, bias, k, n, i, j0, j1);
                break;
            case 1:
                Columns<TLoad, OneRow>(y, x, w, bias, k, n, i, j0, j1);
                break;
        }
    }

    private static void Columns<TLoad, TRows>(
        float* y, float* x, void* w, float* bias, int k, int n, int i, int j0, int j1)
        where TLoad : struct, IWeightLoader
        where TRows : struct, IRowCount
    {
        int j = j0;
        for (; j + 4 <= j1; j += 4)
        {
            Block<TLoad, TRows>(y, x, w, bias, k, n, i, j);
        }

        for (; j < j1; j++)
        {
            for (int r = 0; r < TRows.Value; r++)
            {
                Single<TLoad>(y, x, w, bias, k, n, i + r, j);
            }
        }
    }

    /// <summary>
    /// Rows i … i+R−1 against columns j … j+3, R (1 to 4) a constant of the specialisation: the JIT drops
    /// the branches and accumulators of the rows beyond it. Each row's sums are formed in the same order
    /// whatever R, so a row's result does not depend on the batch it came in.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<TLoad, TRows>(float* y, float* x, void* w, float* bias, int k, int n, int i, int j)
        where TLoad : struct, IWeightLoader
        where TRows : struct, IRowCount
    {
        int rows = TRows.Value;
        float* x0 = x + ((long)i * k), x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
        long w0 = (long)j * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k;
        Span<float> acc = stackalloc float[16];
        int p = 0;
        if (Vector512.IsHardwareAccelerated && k >= 16)
        {
            Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
            Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
            Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
            for (; p + 16 <= k; p += 16)
            {
                Vector512<float> b0 = TLoad.Load512(w, w0 + p), b1 = TLoad.Load512(w, w1 + p);
                Vector512<float> b2 = TLoad.Load512(w, w2 + p), b3 = TLoad.Load512(w, w3 + p);
                Vector512<float> a = Vector512.Load(x0 + p);
                c00 = Vector512.FusedMultiplyAdd(a, b0, c00); c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
                c02 = Vector512.FusedMultiplyAdd(a, b2, c02); c03 = Vector512.FusedMultiplyAdd(a, b3, c03);
                if (rows > 1)
                {
                    a = Vector512.Load(x1 + p);
                    c10 = Vector512.FusedMultiplyAdd(a, b0, c10); c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
                    c12 = Vector512.FusedMultiplyAdd(a, b2, c12); c13 = Vector512.FusedMultiplyAdd(a, b3, c13);
                }

                if (rows > 2)
                {
                    a = Vector512.Load(x2 + p);
                    c20 = Vector512.FusedMultiplyAdd(a, b0, c20); c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
                    c22 = Vector512.FusedMultiplyAdd(a, b2, c22); c23 = Vector512.FusedMultiplyAdd(a, b3, c23);
                }

                if (rows > 3)
                {
                    a = Vector512.Load(x3 + p);
                    c30 = Vector512.FusedMultiplyAdd(a, b0, c30); c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
                    c32 = Vector512.FusedMultiplyAdd(a, b2, c32); c33 = Vector512.FusedMultiplyAdd(a, b3, c33);
                }
            }

            HorizontalSum.Of4(c00, c01, c02, c03).CopyTo(acc);
            if (rows > 1)
            {
                HorizontalSum.Of4(c10, c11, c12, c13).CopyTo(acc[4..]);
            }

            if (rows > 2)
            {
                HorizontalSum.Of4(c20, c21, c22, c23).CopyTo(acc[8..]);
            }

            if (rows > 3)
            {
                HorizontalSum.Of4(c30, c31, c32, c33).CopyTo(acc[12..]);
            }
        }
        else if (Vector256.IsHardwareAccelerated && k >= 8)
        {
            Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
            Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
            Vector256<float> c30 = default, c31 = default, c32 = default, c33 = default;
            for (; p + 8 <= k; p += 8)
            {
                Vector256<float> b0 = TLoad.Load256(w, w0 + p), b1 = TLoad.Load256(w, w1 + p);
                Vector256<float> b2 = TLoad.Load256(w, w2 + p), b3 = TLoad.Load256(w, w3 + p);
                Vector256<float> a = Vector256.Load(x0 + p);
                c00 = Vector256.FusedMultiplyAdd(a, b0, c00); c01 = Vector256.FusedMultiplyAdd(a, b1, c01);
                c02 = Vector256.FusedMultiplyAdd(a, b2, c02); c03 = Vector256.FusedMultiplyAdd(a, b3, c03);
                if (rows > 1)
                {
                    a = Vector256.Load(x1 + p);
                    c10 = Vector256.FusedMultiplyAdd(a, b0, c10); c11 = Vector256.FusedMultiplyAdd(a, b1, c11);
                    c12 = Vector256.FusedMultiplyAdd(a, b2, c12); c13 = Vector256.FusedMultiplyAdd(a, b3, c13);
                }

                if (rows > 2)
                {
                    a = Vector256.Load(x2 + p);
                    c20 = Vector256.FusedMultiplyAdd(a, b0, c20); c21 = Vector256.FusedMultiplyAdd(a, b1, c21);
                    c22 = Vector256.FusedMultiplyAdd(a, b2, c22); c23 = Vector256.FusedMultiplyAdd(a, b3, c23);
                }

                if (rows > 3)
                {
                    a = Vector256.Load(x3 + p);
                    c30 = Vector256.FusedMultiplyAdd(a, b0, c30); c31 = Vector256.FusedMultiplyAdd(a, b1, c31);
                    c32 = Vector256.FusedMultiplyAdd(a, b2, c32); c33 = Vector256.FusedMultiplyAdd(a, b3, c33);
                }
            }

            HorizontalSum.Of4(c00, c01, c02, c03).CopyTo(acc);
            if (rows > 1)
            {
                HorizontalSum.Of4(c10, c11, c12, c13).CopyTo(acc[4..]);
            }

            if (rows > 2)
            {
                HorizontalSum.Of4(c20, c21, c22, c23).CopyTo(acc[8..]);
            }

            if (rows > 3)
            {
                HorizontalSum.Of4(c30, c31, c32, c33).CopyTo(acc[12..]);
            }
        }

        for (int r = 0; r < rows; r++)
        {
            float* xr = x0 + ((long)r * k);
            for (int c = 0; c < 4; c++)
            {
                long wc = w0 + ((long)c * k);
                float s = acc[(r * 4) + c];
                for (int q = p; q < k; q++)
                {
                    s = MathF.FusedMultiplyAdd(xr[q], TLoad.Scalar(w, wc + q), s);
                }

                y[((long)(i + r) * n) + j + c] = bias == null ? s : s + bias[j + c];
            }
        }
    }

    private static void Single<TLoad>(float* y, float* x, void* w, float* bias, int k, int n, int i, int j)
        where TLoad : struct, IWeightLoader
    {
        float* xr = x + ((long)i * k);
        long wr = (long)j * k;
        float s = 0;
        int p = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> c = default;
            for (; p + 8 <= k; p += 8)
            {
                c = Vector256.FusedMultiplyAdd(Vector256.Load(xr + p), TLoad.Load256(w, wr + p), c);
            }

            s = Vector256.Sum(c);
        }

        for (; p < k; p++)
        {
            s = MathF.FusedMultiplyAdd(xr[p], TLoad.Scalar(w, wr + p), s);
        }

        y[((long)i * n) + j] = bias == null ? s : s + bias[j];
    }
}
