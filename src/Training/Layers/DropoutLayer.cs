using System.Numerics.Tensors;

namespace PaDeLLM.Training.Layers;

/// <summary>
/// Inverted dropout: y = x·m with m = 0 (probability p) or 1/(1 − p), so the expectation is
/// unchanged and inference needs no scaling. Backward: dx = dy·m with the same mask.
/// </summary>
public static class DropoutLayer
{
    /// <summary>Draws a mask of 0 and 1/(1 − p) from <paramref name="rng"/>.</summary>
    public static void Mask(float[] mask, float p, SplitMix64 rng)
    {
        if (p is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "dropout must be in [0, 1)");
        }

        float keep = 1f / (1f - p);
        ulong threshold = (ulong)(p * 18446744073709551616.0); // p · 2^64: drop where a uniform draw falls below
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = rng.Next() < threshold ? 0f : keep;
        }
    }

    /// <summary>x ← x·m (forward, in place).</summary>
    public static void Forward(float[] x, float[] mask) => TensorPrimitives.Multiply(x, mask, x);

    /// <summary>dx = dy·m.</summary>
    public static void Backward(float[] dx, float[] dy, float[] mask) => TensorPrimitives.Multiply(dy, mask, dx);
}
