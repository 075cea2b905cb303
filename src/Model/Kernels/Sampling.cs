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
        float max = TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float l in logits)
        {
            sum += Math.Exp(l - max);
        }

        return logits[index] - max - Math.Log(sum);
    }

    /// <summary>The softmax probability of a set of tokens together, accumulated in double.</summary>
    public static double MassOf(ReadOnlySpan<float> logits, IReadOnlySet<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        double mass = 0;
        foreach (int t in tokens)
        {
            mass += Math.Exp(LogSoftmaxAt(logits, t));
        }

        return mass;
    }

    /// <summary>The whole log-softmax row.</summary>
    public static void LogSoftmax(ReadOnlySpan<float> logits, Span<float> output)
    {
        float max = TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float l in logits)
        {
            sum += Math.Exp(l - max);
        }

        float logZ = max + (float)Math.Log(sum);
        TensorPrimitives.Subtract(logits, logZ, output);
    }
}
