using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace PaDeLLM.Model.Kernels;

/// <summary>One contiguous run of cached keys and values: Length rows of KvDim floats each.</summary>
public readonly record struct KvRun(float[] Keys, float[] Values, int Length);

/// <summary>
/// Causal attention of one query token over a list of cached K/V runs (a prefix-tree path:
/// the shared text, then the label branch, then the token's own branch), with grouped-query
/// heads: query head h reads KV head h / (heads / kvHeads).
/// </summary>
/// <remarks>
/// A head is a few dozen floats, so a library call per key (a dot product, then a scaled add) costs
/// more in dispatch than in arithmetic. With 512-bit vectors and a head of a multiple of 16 floats,
/// four keys' scores are taken at once (four independent sums) and the head's output stays in
/// registers while the values stream past; otherwise the library's calls do it, key by key.
/// </remarks>
public static class Attention
{
    /// <param name="output">[heads · headDim] for this token.</param>
    /// <param name="query">[heads · headDim], already rotated.</param>
    /// <param name="runs">The K/V runs this token sees, in position order; the last may be cut by
    /// <paramref name="lastRunLength"/>.</param>
    /// <param name="scores">Scratch of at least the total visible length.</param>
    public static void Forward(Span<float> output, ReadOnlySpan<float> query, ReadOnlySpan<KvRun> runs,
        int lastRunLength, int heads, int kvHeads, int headDim, Span<float> scores)
    {
        int group = heads / kvHeads;
        int kvDim = kvHeads * headDim;
        float scale = 1f / MathF.Sqrt(headDim);
        bool wide = Vector512.IsHardwareAccelerated && headDim % Vector512<float>.Count == 0;
        for (int h = 0; h < heads; h++)
        {
            ReadOnlySpan<float> q = query.Slice(h * headDim, headDim);
            int kvOffset = h / group * headDim;
            int t = 0;
            for (int r = 0; r < runs.Length; r++)
            {
                int len = r == runs.Length - 1 ? lastRunLength : runs[r].Length;
                if (wide)
                {
                    Scores512(q, runs[r].Keys, kvOffset, kvDim, len, scale, scores.Slice(t, len));
                    t += len;
                    continue;
                }

                float[] keys = runs[r].Keys;
                for (int i = 0; i < len; i++)
                {
                    scores[t++] = TensorPrimitives.Dot(q, keys.AsSpan((i * kvDim) + kvOffset, headDim)) * scale;
                }
            }

            Span<float> s = scores[..t];
            Softmax.InPlace(s);
            Span<float> o = output.Slice(h * headDim, headDim);
            if (wide)
            {
                WeightedSum512(s, runs, lastRunLength, kvOffset, kvDim, o);
                continue;
            }

            o.Clear();
            t = 0;
            for (int r = 0; r < runs.Length; r++)
            {
                int len = r == runs.Length - 1 ? lastRunLength : runs[r].Length;
                float[] values = runs[r].Values;
                for (int i = 0; i < len; i++)
                {
                    TensorPrimitives.MultiplyAdd(values.AsSpan((i * kvDim) + kvOffset, headDim), s[t++], o, o);
                }
            }
        }
    }

    // scores[i] = scale · q · keys[i], four keys at a time: four independent sums keep the FMA units busy.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scores512(
        ReadOnlySpan<float> q, float[] keys, int offset, int stride, int count, float scale, Span<float> scores)
    {
        int d = q.Length;
        ref float q0 = ref MemoryMarshal.GetReference(q);
        ref float k0 = ref MemoryMarshal.GetArrayDataReference(keys);
        int i = 0;
        for (; i + 4 <= count; i += 4)
        {
            nuint a = (nuint)((i * stride) + offset), step = (nuint)stride;
            nuint b = a + step, c = b + step, e = c + step;
            Vector512<float> s0 = Vector512<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (int j = 0; j < d; j += Vector512<float>.Count)
            {
                Vector512<float> x = Vector512.LoadUnsafe(ref q0, (nuint)j);
                s0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref k0, a + (nuint)j), s0);
                s1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref k0, b + (nuint)j), s1);
                s2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref k0, c + (nuint)j), s2);
                s3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref k0, e + (nuint)j), s3);
            }

            scores[i] = Vector512.Sum(s0) * scale;
            scores[i + 1] = Vector512.Sum(s1) * scale;
            scores[i + 2] = Vector512.Sum(s2) * scale;
            scores[i + 3] = Vector512.Sum(s3) * scale;
        }

        for (; i < count; i++)
        {
            nuint a = (nuint)((i * stride) + offset);
            Vector512<float> s0 = Vector512<float>.Zero;
            for (int j = 0; j < d; j += Vector512<float>.Count)
            {
                s0 = Vector512.FusedMultiplyAdd(
                    Vector512.LoadUnsafe(ref q0, (nuint)j), Vector512.LoadUnsafe(ref k0, a + (nuint)j), s0);
            }

            scores[i] = Vector512.Sum(s0) * scale;
        }
    }

    // output += Σ weights[i] · values[i], key after key in position order whatever the runs (so a request's
    // result does not depend on how its context was split into tree nodes), up to four 16-float slices of
    // the head at a time, held in registers: four independent sums.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightedSum512(
        ReadOnlySpan<float> weights, ReadOnlySpan<KvRun> runs, int lastRunLength, int offset, int stride,
        Span<float> output)
    {
        const int Lanes = 16;
        ref float o0 = ref MemoryMarshal.GetReference(output);
        for (int j = 0; j < output.Length; j += 4 * Lanes)
        {
            int slices = Math.Min(4, (output.Length - j) / Lanes);
            Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            int t = 0;
            for (int r = 0; r < runs.Length; r++)
            {
                int len = r == runs.Length - 1 ? lastRunLength : runs[r].Length;
                ref float v0 = ref MemoryMarshal.GetArrayDataReference(runs[r].Values);
                nuint at = (nuint)(offset + j);
                for (int i = 0; i < len; i++, t++, at += (nuint)stride)
                {
                    var w = Vector512.Create(weights[t]);
                    a0 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref v0, at), a0);
                    if (slices > 1)
                    {
                        a1 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref v0, at + Lanes), a1);
                    }

                    if (slices > 2)
                    {
                        a2 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref v0, at + (2 * Lanes)), a2);
                    }

                    if (slices > 3)
                    {
                        a3 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref v0, at + (3 * Lanes)), a3);
                    }
                }
            }

            a0.StoreUnsafe(ref o0, (nuint)j);
            if (slices > 1)
            {
                a1.StoreUnsafe(ref o0, (nuint)(j + Lanes));
            }

            if (slices > 2)
            {
                a2.StoreUnsafe(ref o0, (nuint)(j + (2 * Lanes)));
            }

            if (slices > 3)
            {
                a3.StoreUnsafe(ref o0, (nuint)(j + (3 * Lanes)));
            }
        }
    }
}
