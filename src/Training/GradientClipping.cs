using System.Numerics.Tensors;

namespace PaDeLLM.Training;

/// <summary>
/// Scales all gradients together so their global L2 norm is at most <c>maxNorm</c> (torch.nn.utils.clip_grad_norm_).
/// </summary>
public static class GradientClipping
{
    /// <returns>The norm before clipping.</returns>
    public static double ClipGlobalNorm(Dictionary<string, float[]> gradients, double maxNorm)
    {
        double sumSquares = gradients.Values.Sum(g => (double)TensorPrimitives.Dot(g, g));
        double norm = Math.Sqrt(sumSquares);
        if (norm > maxNorm)
        {
            float scale = (float)(maxNorm / (norm + 1e-6));
            foreach (float[] g in gradients.Values)
            {
                TensorPrimitives.Multiply(g, scale, g);
            }
        }

        return norm;
    }
}
