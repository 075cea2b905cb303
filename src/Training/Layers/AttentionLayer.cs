using System.Numerics.Tensors;
using PaDeLLM.Model.Kernels;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Training.Layers;

/// <summary>
/// Softmax attention over a packed sequence whose visibility is an explicit mask, so one packed
/// row can hold a whole PaDeLLM tree (text, label branches, mention branches) as well as a
/// plain causal sequence. GQA: query head h reads KV head h / (heads / kvHeads).
/// Per head, everything is a GEMM on contiguous [T, d] blocks (the engine's <see cref="MatMul"/>
/// computes A·Bᵀ): S = Q·Kᵀ/√d masked and softmaxed into P, O = P·V; backward dP = dO·Vᵀ,
/// dS = P ⊙ (dP − rowsum(P ⊙ dP)), dQ = dS·K/√d, dK = dSᵀ·Q/√d, dV = Pᵀ·dO.
/// </summary>
public static unsafe class AttentionLayer
{
    /// <param name="visible">visible[i · T + j]: token i may attend to token j.</param>
    /// <param name="offset">The row's first token in q, k, v and output, which may hold a whole batch of rows one after another.</param>
    public static void Forward(float[] output, float[] probs, float[] q, float[] k, float[] v, bool[] visible, int offset, int tokens, int heads, int kvHeads, int headDim)
    {
        int T = tokens, d = headDim, group = heads / kvHeads;
        float scale = 1f / MathF.Sqrt(d);
        for (int h = 0; h < heads; h++)
        {
            int kv = h / group;
            float[] qh = Gather(q, offset, T, heads, h, d), kh = Gather(k, offset, T, kvHeads, kv, d), vhT = GatherTransposed(v, offset, T, kvHeads, kv, d);
            float[] p = new float[T * T];
            Gemm(p, qh, kh, T, d, T);                 // S = Q·Kᵀ
            for (int i = 0; i < T; i++)
            {
                Span<float> row = p.AsSpan(i * T, T);
                float max = float.NegativeInfinity;
                for (int j = 0; j < T; j++)
                {
                    row[j] = visible[(i * T) + j] ? row[j] * scale : float.NegativeInfinity;
                    max = MathF.Max(max, row[j]);
                }

                TensorPrimitives.Subtract(row, max, row);
                TensorPrimitives.Exp(row, row);       // exp(−∞) = 0 for hidden keys
                TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum<float>(row), row);
            }

            p.CopyTo(probs, h * T * T);
            float[] oh = new float[T * d];
            Gemm(oh, p, vhT, T, T, d);                // O = P·V = P·(Vᵀ)ᵀ
            Scatter(oh, output, offset, T, heads, h, d);
        }
    }

    /// <param name="offset">As in <see cref="Forward"/>; the row's gradients are added at the same rows of dq, dk, dv.</param>
    public static void Backward(float[] dq, float[] dk, float[] dv, float[] dOutput, float[] probs, float[] q, float[] k, float[] v, int offset, int tokens, int heads, int kvHeads, int headDim)
    {
        int T = tokens, d = headDim, group = heads / kvHeads;
        float scale = 1f / MathF.Sqrt(d);
        for (int h = 0; h < heads; h++)
        {
            int kv = h / group;
            float[] p = probs.AsSpan(h * T * T, T * T).ToArray();
            float[] doh = Gather(dOutput, offset, T, heads, h, d), vh = Gather(v, offset, T, kvHeads, kv, d);
            float[] dp = new float[T * T];
            Gemm(dp, doh, vh, T, d, T);               // dP = dO·Vᵀ
            for (int i = 0; i < T; i++)
            {
                Span<float> pr = p.AsSpan(i * T, T), dpr = dp.AsSpan(i * T, T);
                float dot = TensorPrimitives.Dot(pr, dpr);
                TensorPrimitives.Subtract(dpr, dot, dpr);
                TensorPrimitives.Multiply(dpr, pr, dpr);
                TensorPrimitives.Multiply(dpr, scale, dpr); // dp now holds dS/√d
            }

            float[] khT = GatherTransposed(k, offset, T, kvHeads, kv, d), qhT = GatherTransposed(q, offset, T, heads, h, d);
            float[] dsT = Transpose(dp, T, T), pT = Transpose(p, T, T), dohT = GatherTransposed(dOutput, offset, T, heads, h, d);
            float[] dqh = new float[T * d], dkh = new float[T * d], dvh = new float[T * d];
            Gemm(dqh, dp, khT, T, T, d);              // dQ = dS·K
            Gemm(dkh, dsT, qhT, T, T, d);             // dK = dSᵀ·Q
            Gemm(dvh, pT, dohT, T, T, d);             // dV = Pᵀ·dO
            ScatterAdd(dqh, dq, offset, T, heads, h, d);
            ScatterAdd(dkh, dk, offset, T, kvHeads, kv, d);
            ScatterAdd(dvh, dv, offset, T, kvHeads, kv, d);
        }
    }

    /// <summary>The causal mask of a plain sequence.</summary>
    public static bool[] Causal(int tokens)
    {
        var mask = new bool[tokens * tokens];
        for (int i = 0; i < tokens; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                mask[(i * tokens) + j] = true;
            }
        }

        return mask;
    }

    // y[m, n] = a[m, k] · b[n, k]ᵀ
    private static void Gemm(float[] y, float[] a, float[] b, int m, int k, int n)
    {
        fixed (float* pb = b)
        {
            MatMul.Forward(y, a, new Weight(pb, DType.F32, n, k), default, m);
        }
    }

    // Head h of rows offset … offset+T−1 of a [·, heads·d] tensor as a contiguous [T, d] block.
    private static float[] Gather(float[] x, int offset, int T, int heads, int h, int d)
    {
        var r = new float[T * d];
        for (int t = 0; t < T; t++)
        {
            Array.Copy(x, ((offset + t) * heads * d) + (h * d), r, t * d, d);
        }

        return r;
    }

    // Head h as [d, T].
    private static float[] GatherTransposed(float[] x, int offset, int T, int heads, int h, int d)
    {
        var r = new float[d * T];
        for (int t = 0; t < T; t++)
        {
            for (int i = 0; i < d; i++)
            {
                r[(i * T) + t] = x[((offset + t) * heads * d) + (h * d) + i];
            }
        }

        return r;
    }

    private static void Scatter(float[] block, float[] x, int offset, int T, int heads, int h, int d)
    {
        for (int t = 0; t < T; t++)
        {
            Array.Copy(block, t * d, x, ((offset + t) * heads * d) + (h * d), d);
        }
    }

    private static void ScatterAdd(float[] block, float[] x, int offset, int T, int heads, int h, int d)
    {
        for (int t = 0; t < T; t++)
        {
            Span<float> target = x.AsSpan(((offset + t) * heads * d) + (h * d), d);
            TensorPrimitives.Add(target, block.AsSpan(t * d, d), target);
        }
    }

    private static float[] Transpose(float[] a, int rows, int cols)
    {
        var b = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                b[(c * rows) + r] = a[(r * cols) + c];
            }
        }

        return b;
    }
}
