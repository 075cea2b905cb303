using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Model.Gpu;

/// <summary>A checkpoint matrix uploaded once, in its own type (BF16 stays 16-bit on the device).</summary>
public sealed unsafe class DeviceMatrix : IDisposable
{
    public DeviceMatrix(Accelerator accelerator, in Weight weight)
    {
        Rows = weight.Rows;
        Cols = weight.Cols;
        long length = (long)Rows * Cols;
        if (weight.Type == DType.F32)
        {
            F32 = accelerator.Allocate1D<float>(length);
            F32.View.CopyFromCPU(ref *(float*)weight.Data, length);
        }
        else
        {
            Bf16 = accelerator.Allocate1D<ushort>(length);
            Bf16.View.CopyFromCPU(ref *(ushort*)weight.Data, length);
        }
    }

    public int Rows { get; }

    public int Cols { get; }

    public MemoryBuffer1D<float, Stride1D.Dense>? F32 { get; }

    public MemoryBuffer1D<ushort, Stride1D.Dense>? Bf16 { get; }

    public long Bytes => F32?.LengthInBytes ?? Bf16!.LengthInBytes;

    /// <summary>A host array uploaded as an F32 vector (norm weights, biases, rotary tables).</summary>
    public static MemoryBuffer1D<float, Stride1D.Dense> Vector(Accelerator accelerator, ReadOnlySpan<float> values)
    {
        MemoryBuffer1D<float, Stride1D.Dense> buffer = accelerator.Allocate1D<float>(Math.Max(1, values.Length));
        if (!values.IsEmpty)
        {
            buffer.View.CopyFromCPU(ref MemoryMarshal.GetReference(values), values.Length);
        }

        return buffer;
    }

    public void Dispose()
    {
        F32?.Dispose();
        Bf16?.Dispose();
    }
}
