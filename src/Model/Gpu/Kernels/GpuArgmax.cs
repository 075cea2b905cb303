using ILGPU;

namespace PaDeLLM.Model.Gpu.Kernels;

/// <summary>
/// Greedy choice per row with its log-probability (as <see cref="Model.Kernels.Sampling"/>): the first
/// index of the largest logit, and log softmax at it = −log Σ exp(logit − max). One group per row;
/// the softmax's normaliser is reduced in shared memory.
/// </summary>
public static class GpuArgmax
{
    public static void Kernel(
        ArrayView<float> logits, ArrayView<int> tokens, ArrayView<float> logProbs, int vocab)
    {
        ArrayView<float> bestValue = SharedMemory.Allocate<float>(GroupReduce.MaxGroup);
        ArrayView<int> bestIndex = SharedMemory.Allocate<int>(GroupReduce.MaxGroup);
        int t = Group.IdxX;
        long start = (long)Grid.IdxX * vocab;
        float value = float.NegativeInfinity;
        int index = int.MaxValue;
        for (int c = t; c < vocab; c += Group.DimX)
        {
            float l = logits[start + c];
            if (l > value)
            {
                value = l;
                index = c;
            }
        }

        bestValue[t] = value;
        bestIndex[t] = index;
        Group.Barrier();
        for (int width = Group.DimX / 2; width > 0; width >>= 1)
        {
            if (t < width)
            {
                float other = bestValue[t + width];
                int otherIndex = bestIndex[t + width];
                if (other > bestValue[t] || (other == bestValue[t] && otherIndex < bestIndex[t]))
                {
                    bestValue[t] = other;
                    bestIndex[t] = otherIndex;
                }
            }

            Group.Barrier();
        }

        float max = bestValue[0];
        int argmax = bestIndex[0];
        Group.Barrier();
        float sum = 0;
        for (int c = t; c < vocab; c += Group.DimX)
        {
            sum += MathF.Exp(logits[start + c] - max);
        }

        sum = GroupReduce.Sum(bestValue, sum);
        if (t == 0)
        {
            tokens[Grid.IdxX] = argmax;
            logProbs[Grid.IdxX] = -MathF.Log(sum);
        }
    }
}
