using System.Numerics.Tensors;
using PaDeLLM.Model.Kernels;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Training.Layers;

/// <summary>
/// Softmax attention over a packed sequence whose visibility is an explicit mask, so one packed
/// row can hold a whole PaDeLLM tree (text, label branches, mention branches) as well as a
/// plain causal sequence. GQA: query head h reads KV head h / (heads / kvHeads).
/// Per head, S = Q·Kᵀ/√d masked and softmaxed into P, O = P·V; backward dP = dO·Vᵀ,
/// dS = P ⊙ (dP − rowsum(P ⊙ dP)), dQ = dS·K/√d, dK = dSᵀ·Q/√d, dV = Pᵀ·dO. On OpenBLAS
/// (<see cref="OpenBlas"/>) each product reads the head's columns of the [tokens, heads·d]
/// tensors in place (row stride heads·d) with either operand transposed; without it, the head is
/// gathered into contiguous [T, d] blocks for the engine's <see cref="MatMul"/> (which computes A·Bᵀ).
/// </summary>
public static unsafe class AttentionLayer
{
    /// <param name="visible">visible[i · T + j]: token i may attend to token j.</param>
    /// <param name="offset">
    /// The row's first token in q, k, v and output, which may hold a whole batch of rows one after another.
    /// </param>
    public static void Forward(
        float[] output, float[] probs, float[] q, float[] k, float[] v, bool[] visible,
        int offset, int tokens, int heads, int kvHeads, int headDim) =>
        Forward(output, probs, q, k, v, visible, offset, tokens, heads, kvHeads, headDim, OpenBlas.Available);

    /// <param name="offset">
    /// As in <see cref="Forward"/>; the row's gradients are added at the same rows of dq, dk, dv.
    /// </param>
    public static void Backward(
        float[] dq, float[] dk, float[] dv, float[] dOutput, float[] probs, float[] q, float[] k, float[] v,
        int offset, int tokens, int heads, int kvHeads, int headDim) =>
        Backward(dq, dk, dv, dOutput, probs, q, k, v, offset, tokens, heads, kvHeads, headDim, OpenBlas.Available);

    /// <param name="blas">OpenBLAS (which must be <see cref="OpenBlas.Available"/>) or the engine's GEMM.</param>
    internal static void Forward(
        float[] output, float[] probs, float[] q, float[] k, float[] v, bool[] visible,
        int offset, int tokens, int heads, int kvHeads, int headDim, bool blas)
    {
        int T = tokens, d = headDim, group = heads / kvHeads, qd = heads * d, kvd = kvHeads * d;
        float scale = 1f / MathF.Sqrt(d);
        fixed (float* po = output, pp = probs, pq = q, pk = k, pv = v)
        {
            for (int h = 0; h < heads; h++)
            {
                int kv = h / group;
                float* qh = pq + (offset * qd) + (h * d), kh = pk + (offset * kvd) + (kv * d);
                float* vh = pv + (offset * kvd) + (kv * d), oh = po + (offset * qd) + (h * d), p = pp + (h * T * T);
                if (blas)
                {
                    OpenBlas.Gemm(false, true, T, T, d, 1f, qh, qd, kh, kvd, 0f, p, T);   // S = Q·Kᵀ
                    Softmax(new Span<float>(p, T * T), visible, T, scale);
                    OpenBlas.Gemm(false, false, T, d, T, 1f, p, T, vh, kvd, 0f, oh, qd); // O = P·V
                    continue;
                }

                float[] qb = Gather(q, offset, T, heads, h, d), kb = Gather(k, offset, T, kvHeads, kv, d);
                float[] vbT = GatherTransposed(v, offset, T, kvHeads, kv, d);
                float[] s = new float[T * T], ob = new float[T * d];
                Gemm(s, qb, kb, T, d, T);                 // S = Q·Kᵀ
                Softmax(s, visible, T, scale);
                s.CopyTo(probs, h * T * T);
                Gemm(ob, s, vbT, T, T, d);                // O = P·V = P·(Vᵀ)ᵀ
                Scatter(ob, output, offset, T, heads, h, d);
            }
        }
    }

    internal static void Backward(
        float[] dq, float[] dk, float[] dv, float[] dOutput, float[] probs, float[] q, float[] k, float[] v,
        int offset, int tokens, int heads, int kvHeads, int headDim, bool blas)
    {
        int T = tokens, d = headDim, group = heads / kvHeads, qd = heads * d, kvd = kvHeads * d;
        float scale = 1f / MathF.Sqrt(d);
        float[] ds = new float[T * T];
        fixed (float* pdq = dq, pdk = dk, pdv = dv, pdo = dOutput, pp = probs, pq = q, pk = k, pv = v, pds = ds)
        {
            for (int h = 0; h < heads; h++)
            {
                int kv = h / group;
                int qAt = (offset * qd) + (h * d), kvAt = (offset * kvd) + (kv * d);
                float* p = pp + (h * T * T);
                if (blas)
                {
                    float* doh = pdo + qAt, qh = pq + qAt, kh = pk + kvAt, vh = pv + kvAt;
                    OpenBlas.Gemm(false, true, T, T, d, 1f, doh, qd, vh, kvd, 0f, pds, T);         // dP = dO·Vᵀ
                    SoftmaxBackward(ds, new ReadOnlySpan<float>(p, T * T), T, scale);
                    OpenBlas.Gemm(false, false, T, d, T, 1f, pds, T, kh, kvd, 1f, pdq + qAt, qd);  // dQ += dS·K
                    OpenBlas.Gemm(true, false, T, d, T, 1f, pds, T, qh, qd, 1f, pdk + kvAt, kvd);   // dK += dSᵀ·Q
                    OpenBlas.Gemm(true, false, T, d, T, 1f, p, T, doh, qd, 1f, pdv + kvAt, kvd);    // dV += Pᵀ·dO
                    continue;
                }

                float[] pb = new ReadOnlySpan<float>(p, T * T).ToArray();
                float[] dob = Gather(dOutput, offset, T, heads, h, d), vb = Gather(v, offset, T, kvHeads, kv, d);
                Gemm(ds, dob, vb, T, d, T);               // dP = dO·Vᵀ
                SoftmaxBackward(ds, pb, T, scale);
                float[] kbT = GatherTransposed(k, offset, T, kvHeads, kv, d);
                float[] qbT = GatherTransposed(q, offset, T, heads, h, d);
                float[] dobT = GatherTransposed(dOutput, offset, T, heads, h, d);
                float[] dsT = Transpose(ds, T, T), pT = Transpose(pb, T, T);
                float[] dqb = new float[T * d], dkb = new float[T * d], dvb = new float[T * d];
                Gemm(dqb, ds, kbT, T, T, d);              // dQ = dS·K
                Gemm(dkb, dsT, qbT, T, T, d);             // dK = dSᵀ·Q
                Gemm(dvb, pT, dobT, T, T, d);             // dV = Pᵀ·dO
                ScatterAdd(dqb, dq, offset, T, heads, h, d);
                ScatterAdd(dkb, dk, offset, T, kvHeads, kv, d);
                ScatterAdd(dvb, dv, offset, T, kvHeads, kv, d);
            }
        }
    }

    // s [T, T] holds Q·Kᵀ; becomes P = softmax(s/√d) over each row's visible keys.
    private static void Softmax(Span<float> s, bool[] visible, int T, float scale)
    {
        for (int i = 0; i < T; i++)
        {
            Span<float> row = s.Slice(i * T, T);
            TensorPrimitives.Multiply(row, scale, row);
            for (int j = 0; j < T; j++)
            {
                if (!visible[(i * T) + j])
                {
                    row[j] = float.NegativeInfinity;
                }
            }

            TensorPrimitives.Subtract(row, TensorPrimitives.Max(row), row);
            TensorPrimitives.Exp(row, row);       // exp(−∞) = 0 for hidden keys
            TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum<float>(row), row);
        }
    }

    // dp [T, T] holds dP; becomes dS/√d = P ⊙ (dP − rowsum(P ⊙ dP)) / √d.
    private static void SoftmaxBackward(Span<float> dp, ReadOnlySpan<float> p, int T, float scale)
    {
        for (int i = 0; i < T; i++)
        {
            ReadOnlySpan<float> pr = p.Slice(i * T, T);
            Span<float> dpr = dp.Slice(i * T, T);
            float dot = TensorPrimitives.Dot(pr, dpr);
            TensorPrimitives.Subtract(dpr, dot, dpr);
            TensorPrimitives.Multiply(dpr, pr, dpr);
            TensorPrimitives.Multiply(dpr, scale, dpr);
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
