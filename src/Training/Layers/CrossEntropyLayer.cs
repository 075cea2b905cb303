using System.Numerics.Tensors;

namespace PaDeLLM.Training.Layers;

/// <summary>
/// Weighted next-token cross-entropy: row t contributes Σ w·(logZ − logit[target]) over its
/// targets. Returns the summed loss; dlogits = scale · (Σw · softmax − Σ w·onehot).
/// </summary>
public static class CrossEntropyLayer
{
    public static double ForwardBackward(float[] dlogits, float[] logits, (int Target, float Weight)[][] targets,
        int vocab, float scale)
    {
        double loss = 0;
        for (int t = 0; t < targets.Length; t++)
        {
            Span<float> d = dlogits.AsSpan(t * vocab, vocab);
            if (targets[t].Length == 0)
            {
                d.Clear();
                continue;
            }

            // Vectorised: d = exp(l − max) first, then normalised in place into the softmax.
            ReadOnlySpan<float> l = logits.AsSpan(t * vocab, vocab);
            float max = TensorPrimitives.Max(l);
            TensorPrimitives.Subtract(l, max, d);
            TensorPrimitives.Exp(d, d);
            double sum = TensorPrimitives.Sum<float>(d);
            double logZ = max + Math.Log(sum);
            float weight = 0;
            foreach ((int target, float w) in targets[t])
            {
                loss += w * (logZ - l[target]);
                weight += w;
            }

            TensorPrimitives.Multiply(d, (float)(weight * scale / sum), d);

            foreach ((int target, float w) in targets[t])
            {
                d[target] -= w * scale;
            }
        }

        return loss;
    }
}
