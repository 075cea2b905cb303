using ILGPU;

namespace PaDeLLM.Model.Gpu.Kernels;

/// <summary>
/// Causal attention of each row over the prefix tree (as <see cref="Model.Kernels.Attention"/>): a row
/// sees its ancestors' positions and its own node's earlier ones, listed as pool slots in position
/// order (slots[start[row] .. + count[row]]), so the shared text's K/V is stored once and read by
/// every branch. One group per (head, row): scores, then softmax, then the weighted sum of values,
/// with grouped-query heads (query head h reads KV head h / (heads / kvHeads)).
/// </summary>
public static class GpuTreeAttention
{
    public static void Kernel(
        ArrayView<float> q, ArrayView<float> keys, ArrayView<float> values, ArrayView<int> slots,
        ArrayView<int> start, ArrayView<int> count, ArrayView<float> scores, ArrayView<float> output,
        int kvHeads, int headDim, long layerStart, int scoreStride, float scale)
    {
        ArrayView<float> scratch = SharedMemory.Allocate<float>(GroupReduce.MaxGroup);
        int head = Grid.IdxX, row = Grid.IdxY, heads = Grid.DimX;
        int kvDim = kvHeads * headDim;
        int kvOffset = head / (heads / kvHeads) * headDim;
        long qStart = (((long)row * heads) + head) * headDim;
        long sStart = (((long)row * heads) + head) * scoreStride;
        int first = start[row], visible = count[row];

        float max = float.NegativeInfinity;
        for (int j = Group.IdxX; j < visible; j += Group.DimX)
        {
            long kStart = layerStart + ((long)slots[first + j] * kvDim) + kvOffset;
            float dot = 0;
            for (int d = 0; d < headDim; d++)
            {
                dot += q[qStart + d] * keys[kStart + d];
            }

            float score = dot * scale;
            scores[sStart + j] = score;
            max = MathF.Max(max, score);
        }

        max = GroupReduce.Max(scratch, max);
        float sum = 0;
        for (int j = Group.IdxX; j < visible; j += Group.DimX)
        {
            float e = MathF.Exp(scores[sStart + j] - max);
            scores[sStart + j] = e;
            sum += e;
        }

        // The reduction's barriers also publish every thread's exponentials to the whole group.
        float inverse = 1f / GroupReduce.Sum(scratch, sum);
        for (int d = Group.IdxX; d < headDim; d += Group.DimX)
        {
            float o = 0;
            for (int j = 0; j < visible; j++)
            {
                long v = layerStart + ((long)slots[first + j] * kvDim) + kvOffset + d;
                o += values[v] * (scores[sStart + j] * inverse);
            }

            output[qStart + d] = o;
        }
    }
}
