using System.Numerics.Tensors;

namespace PaDeLLM.Training.Layers;

/// <summary>
/// a = silu(g)·u. Backward: du = da·silu(g), dg = da·u·σ(g)·(1 + g·(1 − σ(g))).
/// σ is vectorised (<see cref="TensorPrimitives.Sigmoid{T}(ReadOnlySpan{T}, Span{T})"/>), a chunk at a time.
/// </summary>
public static class SwiGluLayer
{
    private const int Chunk = 1024;

    public static void Forward(float[] a, float[] g, float[] u)
    {
        for (int i = 0; i < a.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, a.Length - i);
            Span<float> ai = a.AsSpan(i, n);
            TensorPrimitives.Sigmoid(g.AsSpan(i, n), ai);
            TensorPrimitives.Multiply(ai, g.AsSpan(i, n), ai);
            TensorPrimitives.Multiply(ai, u.AsSpan(i, n), ai);
        }
    }

    public static void Backward(float[] dg, float[] du, float[] da, float[] g, float[] u)
    {
        Span<float> s = stackalloc float[Chunk], t = stackalloc float[Chunk];
        for (int i = 0; i < da.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, da.Length - i);
            ReadOnlySpan<float> dai = da.AsSpan(i, n), gi = g.AsSpan(i, n);
            Span<float> si = s[..n], ti = t[..n], dui = du.AsSpan(i, n), dgi = dg.AsSpan(i, n);
            TensorPrimitives.Sigmoid(gi, si);
            TensorPrimitives.Multiply(dai, gi, dui);
            TensorPrimitives.Multiply(dui, si, dui);             // du = da·g·σ
            TensorPrimitives.Subtract(1f, si, ti);
            TensorPrimitives.MultiplyAdd(gi, ti, 1f, ti);         // 1 + g·(1 − σ)
            TensorPrimitives.Multiply(dai, u.AsSpan(i, n), dgi);
            TensorPrimitives.Multiply(dgi, si, dgi);
            TensorPrimitives.Multiply(dgi, ti, dgi);             // dg = da·u·σ·(1 + g·(1 − σ))
        }
    }
}
