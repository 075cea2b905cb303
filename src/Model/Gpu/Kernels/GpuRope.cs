using ILGPU;

namespace PaDeLLM.Model.Gpu.Kernels;

/// <summary>
/// Rotary embedding, rotate-half convention (as <see cref="Model.Kernels.Rope"/>), each row at its own
/// position. cos and sin come from a [positions, d/2] table computed once on the host with the CPU
/// engine's F32 arithmetic, so both engines rotate by the same numbers.
/// </summary>
public static class GpuRope
{
    /// <param name="i">One (row, head, pair) per thread.</param>
    public static void Kernel(
        Index1D i, ArrayView<float> x, ArrayView<int> positions, ArrayView<float> cos, ArrayView<float> sin,
        int heads, int headDim)
    {
        int half = headDim / 2;
        int pair = i % half;
        int rowHead = i / half;
        int row = rowHead / heads;
        long start = (long)rowHead * headDim;
        long angle = ((long)positions[row] * half) + pair;
        float c = cos[angle], s = sin[angle];
        float a = x[start + pair], b = x[start + pair + half];
        x[start + pair] = (a * c) - (b * s);
        x[start + pair + half] = (b * c) + (a * s);
    }
}
