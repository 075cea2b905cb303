using ILGPU;

namespace PaDeLLM.Model.Gpu.Kernels;

/// <summary>
/// Writes each row's key and value into its slot of one layer of the device K/V pool
/// (<see cref="KvBlockPool"/>: [layers, slots, kvDim]); a node's slots are those of its blocks.
/// </summary>
public static class GpuKvStore
{
    public static void Kernel(
        Index1D i, ArrayView<float> k, ArrayView<float> v, ArrayView<int> rowSlots, ArrayView<float> keys,
        ArrayView<float> values, int kvDim, long layerStart)
    {
        int row = i / kvDim;
        long destination = layerStart + ((long)rowSlots[row] * kvDim) + (i - (row * kvDim));
        keys[destination] = k[i];
        values[destination] = v[i];
    }
}
