using System.Buffers;
using System.Numerics.Tensors;
using PaDeLLM.Model.Kernels;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Training.Layers;

/// <summary>
/// y = x·Wᵀ + b with W [out, in] (checkpoint layout). Backward: dx = dy·W, dW += dyᵀ·x, db += Σ dy.
/// The products run on OpenBLAS where the machine has it (<see cref="OpenBlas"/>: transposed
/// operands read in place, 1.2× faster steps), else on the engine's GEMM (<see cref="MatMul"/>,
/// which computes A·Bᵀ): dx = dy·(Wᵀ)ᵀ and dW = (dyᵀ)·(xᵀ)ᵀ, after O(n²) transposes.
/// </summary>
public static unsafe class Linear
{
    public static void Forward(
        float[] y, float[] x, float[] w, float[]? b, int rows, int inFeatures, int outFeatures) =>
        Forward(y, x, w, b, rows, inFeatures, outFeatures, OpenBlas.Available);

    /// <param name="dx">Accumulated into (+=), so several consumers of one input can share it.</param>
    public static void Backward(
        float[] dx, float[] dw, float[]? db, float[] dy, float[] x, float[] w,
        int rows, int inFeatures, int outFeatures) =>
        Backward(dx, dw, db, dy, x, w, rows, inFeatures, outFeatures, OpenBlas.Available);

    /// <param name="blas">OpenBLAS (which must be <see cref="OpenBlas.Available"/>) or the engine's GEMM.</param>
    internal static void Forward(
        float[] y, float[] x, float[] w, float[]? b, int rows, int inFeatures, int outFeatures, bool blas)
    {
        if (blas)
        {
            fixed (float* py = y, px = x, pw = w)
            {
                OpenBlas.Gemm(false, true, rows, outFeatures, inFeatures, px, pw, 0f, py);
            }

            if (b is not null)
            {
                for (int r = 0; r < rows; r++)
                {
                    TensorPrimitives.Add(
                        y.AsSpan(r * outFeatures, outFeatures), b, y.AsSpan(r * outFeatures, outFeatures));
                }
            }

            return;
        }

        fixed (float* pw = w)
        {
            MatMul.Forward(
                y.AsSpan(0, rows * outFeatures), x.AsSpan(0, rows * inFeatures),
                new Weight(pw, DType.F32, outFeatures, inFeatures), b, rows);
        }
    }

    internal static void Backward(
        float[] dx, float[] dw, float[]? db, float[] dy, float[] x, float[] w,
        int rows, int inFeatures, int outFeatures, bool blas)
    {
        if (blas)
        {
            fixed (float* pdx = dx, pdw = dw, pdy = dy, px = x, pw = w)
            {
                OpenBlas.Gemm(false, false, rows, inFeatures, outFeatures, pdy, pw, 1f, pdx); // dx += dy·W
                OpenBlas.Gemm(true, false, outFeatures, inFeatures, rows, pdy, px, 1f, pdw); // dW += dyᵀ·x
            }

            if (db is not null)
            {
                for (int r = 0; r < rows; r++)
                {
                    TensorPrimitives.Add(db, dy.AsSpan(r * outFeatures, outFeatures), db);
                }
            }

            return;
        }

        float[] wT = Rent(inFeatures * outFeatures), dyT = Rent(outFeatures * rows), xT = Rent(inFeatures * rows);
        float[] tmpX = Rent(rows * inFeatures), tmpW = Rent(outFeatures * inFeatures);
        try
        {
            Transpose(w, wT, outFeatures, inFeatures);
            Transpose(dy, dyT, rows, outFeatures);
            Transpose(x, xT, rows, inFeatures);
            fixed (float* pwT = wT, pxT = xT)
            {
                // dx[rows, in] += dy[rows, out] · (Wᵀ[in, out])ᵀ
                MatMul.Forward(
                    tmpX.AsSpan(0, rows * inFeatures), dy.AsSpan(0, rows * outFeatures),
                    new Weight(pwT, DType.F32, inFeatures, outFeatures), default, rows);

                // dW[out, in] += dyᵀ[out, rows] · (xᵀ[in, rows])ᵀ
                MatMul.Forward(
                    tmpW.AsSpan(0, outFeatures * inFeatures), dyT.AsSpan(0, outFeatures * rows),
                    new Weight(pxT, DType.F32, inFeatures, rows), default, outFeatures);
            }

            TensorPrimitives.Add(
                dx.AsSpan(0, rows * inFeatures), tmpX.AsSpan(0, rows * inFeatures), dx.AsSpan(0, rows * inFeatures));
            TensorPrimitives.Add(
                dw.AsSpan(0, outFeatures * inFeatures),
                tmpW.AsSpan(0, outFeatures * inFeatures),
                dw.AsSpan(0, outFeatures * inFeatures));
            if (db is not null)
            {
                for (int o = 0; o < outFeatures; o++)
                {
                    db[o] += TensorPrimitives.Sum(dyT.AsSpan(o * rows, rows));
                }
            }
        }
        finally
        {
            foreach (float[] a in new[] { wT, dyT, xT, tmpX, tmpW })
            {
                ArrayPool<float>.Shared.Return(a);
            }
        }
    }

    private static float[] Rent(int n) => ArrayPool<float>.Shared.Rent(Math.Max(n, 1));

    // b[c, r] = a[r, c] for a [rows, cols], in cache-sized tiles.
    private static void Transpose(float[] a, float[] b, int rows, int cols)
    {
        const int tile = 32;
        for (int r0 = 0; r0 < rows; r0 += tile)
        {
            for (int c0 = 0; c0 < cols; c0 += tile)
            {
                int r1 = Math.Min(rows, r0 + tile), c1 = Math.Min(cols, c0 + tile);
                for (int r = r0; r < r1; r++)
                {
                    for (int c = c0; c < c1; c++)
                    {
                        b[(c * rows) + r] = a[(r * cols) + c];
                    }
                }
            }
        }
    }
}
