using ILGPU;

namespace PaDeLLM.Model.Gpu.Kernels;

/// <summary>Gathers the embedding rows of token ids: x[r, :] = table[ids[r], :] as F32.</summary>
public static class GpuEmbedding
{
    public static void Kernel<TW>(Index1D i, TW table, ArrayView<int> ids, ArrayView<float> x, int hidden)
        where TW : struct, IWeightView
    {
        int row = i / hidden;
        int col = i - (row * hidden);
        x[i] = table.Load(((long)ids[row] * hidden) + col);
    }
}
