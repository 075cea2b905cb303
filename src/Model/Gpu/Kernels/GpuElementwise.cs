using ILGPU;

namespace PaDeLLM.Model.Gpu.Kernels;

/// <summary>The element-wise steps: SwiGLU, the residual add, row gathering, nudging.</summary>
public static class GpuElementwise
{
    /// <summary>gate = silu(gate) · up, silu(g) = g / (1 + e^−g) (as <see cref="Model.Kernels.SwiGlu"/>).</summary>
    public static void SwiGlu(Index1D i, ArrayView<float> gate, ArrayView<float> up)
    {
        float g = gate[i];
        gate[i] = g / (1f + MathF.Exp(-g)) * up[i];
    }

    /// <summary>x += delta (the residual stream).</summary>
    public static void Add(Index1D i, ArrayView<float> x, ArrayView<float> delta) => x[i] += delta[i];

    /// <summary>destination[r, :] = source[rows[r], :]: the rows whose logits are wanted.</summary>
    public static void Gather(
        Index1D i, ArrayView<float> source, ArrayView<int> rows, ArrayView<float> destination, int width)
    {
        int r = i / width;
        destination[i] = source[((long)rows[r] * width) + (i - (r * width))];
    }

    /// <summary>
    /// x = x · factor + offset: a test perturbs a kernel's output with it, to show the parity tests catch
    /// it (the offset, because a scale alone would vanish in a following RMSNorm).
    /// </summary>
    public static void Nudge(Index1D i, ArrayView<float> x, float factor, float offset) =>
        x[i] = (x[i] * factor) + offset;
}
