using ILGPU;

namespace PaDeLLM.Model.Gpu.Kernels;

/// <summary>A weight matrix on the device, read as F32 whatever it is stored as.</summary>
public interface IWeightView
{
    float Load(long index);

    /// <summary>Elements <paramref name="index"/> and the next (index even): one 4-byte load for BF16.</summary>
    void LoadPair(long index, out float first, out float second);
}

/// <summary>F32 weights.</summary>
public readonly struct F32View(ArrayView<float> data) : IWeightView
{
    private readonly ArrayView<float> _data = data;

    public float Load(long index) => _data[index];

    public void LoadPair(long index, out float first, out float second)
    {
        first = _data[index];
        second = _data[index + 1];
    }
}

/// <summary>BF16 weights kept as their 16 bits: widening is a shift, exact, as on the CPU.</summary>
public readonly struct Bf16View(ArrayView<ushort> data) : IWeightView
{
    private readonly ArrayView<ushort> _data = data;

    // The same bits as pairs (a device allocation starts aligned), so a lane reads two weights at once.
    private readonly ArrayView<uint> _pairs = data.Cast<uint>();

    public float Load(long index) => Interop.IntAsFloat((uint)_data[index] << 16);

    public void LoadPair(long index, out float first, out float second)
    {
        uint pair = _pairs[index >> 1]; // little-endian: the even element is the low half
        first = Interop.IntAsFloat(pair << 16);
        second = Interop.IntAsFloat(pair & 0xFFFF0000u);
    }
}
