using ILGPU;

namespace PaDeLLM.Model.Gpu.Kernels;

/// <summary>A weight matrix on the device, read as F32 whatever it is stored as.</summary>
public interface IWeightView
{
    float Load(long index);
}

/// <summary>F32 weights.</summary>
public readonly struct F32View(ArrayView<float> data) : IWeightView
{
    private readonly ArrayView<float> _data = data;

    public float Load(long index) => _data[index];
}

/// <summary>BF16 weights kept as their 16 bits: widening is a shift, exact, as on the CPU.</summary>
public readonly struct Bf16View(ArrayView<ushort> data) : IWeightView
{
    private readonly ArrayView<ushort> _data = data;

    public float Load(long index) => Interop.IntAsFloat((uint)_data[index] << 16);
}
