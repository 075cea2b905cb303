using System.Numerics.Tensors;

namespace PaDeLLM.Model.Kernels;

/// <summary>Greedy choice and its log-probability.</summary>
public static class Sampling
{
    /// <summary>Index of the largest logit; the first on ties (as torch.argmax).</summary>
    public static int Argmax(ReadOnlySpan<float> logits) => TensorPrimitives.IndexOfMax(logits);

    /// <summary>log softmax(logits)[index] = logits[index] − logsumexp(logits), accumulated in double.</summary>
    public static double LogSoftmaxAt(ReadOnlySpan<float> logits, int index)
    {
        (float max, double sum) = Normalizer(logits);
        return logits[index] - max - Math.Log(sum);
    }

    /// <summary>The token of <paramref name="tokens"/> with the largest logit; -1 for an empty set.</summary>
    public static int ArgmaxOf(ReadOnlySpan<float> logits, IReadOnlySet<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        int best = -1;
        foreach (int t in tokens)
        {
            best = best < 0 || logits[t] > logits[best] ? t : best;
        }

        return best;
    }

    /// <summary>The softmax probability of a set of tokens together, accumulated in double.</summary>
    public static double MassOf(ReadOnlySpan<float> logits, IReadOnlySet<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        (float max, double sum) = Normalizer(logits); // once for the set, not once per token
        double logSum = Math.Log(sum), mass = 0;
        foreach (int t in tokens)
        {
            mass += Math.Exp(logits[t] - max - logSum);
        }

        return mass;
    }

    /// <summary>The whole log-softmax row.</summary>
    public static void LogSoftmax(ReadOnlySpan<float> logits, Span<float> output)
    {
        (float max, double sum) = Normalizer(logits);
        float logZ = max + (float)Math.Log(sum);
        TensorPrimitives.Subtract(logits, logZ, output);
    }

    /// <summary>The largest logit and Σ exp(logit − max), in double: the softmax's normaliser.</summary>
    private static (float Max, double Sum) Normalizer(ReadOnlySpan<float> logits)
    {
        float max = TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float l in logits)
        {
            sum += Math.Exp(l - max);
        }

        return (max, sum);
    }
}
