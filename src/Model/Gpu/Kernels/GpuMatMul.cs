using ILGPU;

namespace PaDeLLM.Model.Gpu.Kernels;

/// <summary>
/// Y[M, N] = X[M, K] · Wᵀ (+ bias), W [N, K] as in a checkpoint (as <see cref="Model.Kernels.MatMul"/>).
/// <see cref="Gemm"/> tiles Y into T×T blocks, one thread group each (T = the group's side, at most
/// <see cref="MaxTile"/>): the group stages a T×T tile of X and of W in shared memory per step
/// along K, so each value read from device memory serves T products. <see cref="Gemv"/> serves
/// decode steps of a few rows, where a tile would idle most of its threads: one group per output
/// walks a row of W with all its threads and reduces in shared memory.
/// </summary>
public static class GpuMatMul
{
    public const int MaxTile = 16;

    public static void Gemm<TW>(
        ArrayView<float> x, TW w, ArrayView<float> bias, ArrayView<float> y, int m, int n, int k, int hasBias)
        where TW : struct, IWeightView
    {
        ArrayView<float> xs = SharedMemory.Allocate<float>(MaxTile * MaxTile);
        ArrayView<float> ws = SharedMemory.Allocate<float>(MaxTile * MaxTile);
        int tile = Group.DimX;
        int tx = Group.IdxX, ty = Group.IdxY;
        int row = (Grid.IdxY * tile) + ty; // of X and Y
        int col = (Grid.IdxX * tile) + tx; // of Y: the W row this thread's output uses
        int wRow = (Grid.IdxX * tile) + ty; // the W row this thread stages
        float acc = 0;
        for (int k0 = 0; k0 < k; k0 += tile)
        {
            int kk = k0 + tx;
            xs[(ty * tile) + tx] = row < m && kk < k ? x[((long)row * k) + kk] : 0f;
            ws[(ty * tile) + tx] = wRow < n && kk < k ? w.Load(((long)wRow * k) + kk) : 0f;
            Group.Barrier();
            for (int i = 0; i < tile; i++)
            {
                acc += xs[(ty * tile) + i] * ws[(tx * tile) + i];
            }

            Group.Barrier();
        }

        if (row < m && col < n)
        {
            y[((long)row * n) + col] = hasBias != 0 ? acc + bias[col] : acc;
        }
    }

    public static void Gemv<TW>(
        ArrayView<float> x, TW w, ArrayView<float> bias, ArrayView<float> y, int m, int n, int k, int hasBias)
        where TW : struct, IWeightView
    {
        ArrayView<float> scratch = SharedMemory.Allocate<float>(GroupReduce.MaxGroup);
        int col = Grid.IdxX, row = Grid.IdxY;
        long xStart = (long)row * k, wStart = (long)col * k;
        float partial = 0;
        for (int c = Group.IdxX; c < k; c += Group.DimX)
        {
            partial += x[xStart + c] * w.Load(wStart + c);
        }

        float sum = GroupReduce.Sum(scratch, partial);
        if (Group.IdxX == 0)
        {
            y[((long)row * n) + col] = hasBias != 0 ? sum + bias[col] : sum;
        }
    }
}
