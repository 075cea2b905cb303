using ILGPU;

namespace PaDeLLM.Model.Gpu.Kernels;

/// <summary>
/// Reductions across one thread group through shared memory (group sizes are powers of two, at
/// most <see cref="MaxGroup"/>). Every thread gets the result; the scratch is free again on return.
/// </summary>
public static class GroupReduce
{
    /// <summary>Largest group any kernel here is launched with (shared arrays are sized by it).</summary>
    public const int MaxGroup = 256;

    /// <summary>An associative operation to reduce with (a struct, so ILGPU inlines it).</summary>
    public interface IOperation
    {
        float Apply(float a, float b);
    }

    public readonly struct Add : IOperation
    {
        public float Apply(float a, float b) => a + b;
    }

    public readonly struct Maximum : IOperation
    {
        public float Apply(float a, float b) => MathF.Max(a, b);
    }

    public static float Sum(ArrayView<float> scratch, float value) => Reduce<Add>(scratch, value);

    public static float Max(ArrayView<float> scratch, float value) => Reduce<Maximum>(scratch, value);

    public static float Reduce<TOperation>(ArrayView<float> scratch, float value)
        where TOperation : struct, IOperation
    {
        int t = Group.IdxX;
        scratch[t] = value;
        Group.Barrier();
        for (int width = Group.DimX / 2; width > 0; width >>= 1)
        {
            if (t < width)
            {
                scratch[t] = default(TOperation).Apply(scratch[t], scratch[t + width]);
            }

            Group.Barrier();
        }

        float result = scratch[0];
        Group.Barrier();
        return result;
    }
}
