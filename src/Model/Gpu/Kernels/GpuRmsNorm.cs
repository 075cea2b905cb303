using ILGPU;

namespace PaDeLLM.Model.Gpu.Kernels;

/// <summary>
/// y = x · rsqrt(mean(x²) + eps) · w per row, in F32 (as <see cref="Model.Kernels.RmsNorm"/>); one group
/// per row, the sum of squares reduced in shared memory. y may be x.
/// </summary>
public static class GpuRmsNorm
{
    public static void Kernel(ArrayView<float> x, ArrayView<float> weight, ArrayView<float> y, int d, float eps)
    {
        ArrayView<float> scratch = SharedMemory.Allocate<float>(GroupReduce.MaxGroup);
        long start = (long)Grid.IdxX * d;
        float squares = 0;
        for (int c = Group.IdxX; c < d; c += Group.DimX)
        {
            float v = x[start + c];
            squares += v * v;
        }

        float meanSquare = GroupReduce.Sum(scratch, squares) / d;
        float scale = 1f / MathF.Sqrt(meanSquare + eps);
        for (int c = Group.IdxX; c < d; c += Group.DimX)
        {
            y[start + c] = x[start + c] * scale * weight[c];
        }
    }
}
