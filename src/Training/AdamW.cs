using System.Numerics;

namespace PaDeLLM.Training;

/// <summary>
/// AdamW as PyTorch defines it: decoupled weight decay p ← p·(1 − lr·wd), then
/// p ← p − lr · m̂ / (√v̂ + eps) with bias-corrected moments. State is per parameter name.
/// </summary>
public sealed class AdamW(double beta1 = 0.9, double beta2 = 0.95, double eps = 1e-8, double weightDecay = 0.1)
{
    private readonly Dictionary<string, (float[] M, float[] V)> _state = new(StringComparer.Ordinal);

    public int Step { get; private set; }

    public IReadOnlyDictionary<string, (float[] M, float[] V)> State => _state;

    /// <summary>Restores moments and the step count from a checkpoint.</summary>
    public void Restore(Dictionary<string, (float[] M, float[] V)> state, int step)
    {
        _state.Clear();
        foreach ((string name, (float[] m, float[] v)) in state)
        {
            _state[name] = (m, v);
        }

        Step = step;
    }

    public void Update(Dictionary<string, float[]> parameters, Dictionary<string, float[]> gradients, double lr)
    {
        Step++;
        double c1 = 1 - Math.Pow(beta1, Step), c2 = 1 - Math.Pow(beta2, Step);
        foreach ((string name, float[] p) in parameters)
        {
            float[] g = gradients[name];
            if (!_state.TryGetValue(name, out var s))
            {
                _state[name] = s = (new float[p.Length], new float[p.Length]);
            }

            float decay = (float)(1 - (lr * weightDecay));
            float b1 = (float)beta1, b2 = (float)beta2;
            float stepSize = (float)(lr / c1), sqrtC2 = (float)Math.Sqrt(c2), e = (float)eps;
            // Vectors of the scalar loop's operations in its order (no fused multiply-add), so the
            // result is the same to the bit; the scalar loop finishes the tail.
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                Vector<float> vb1 = new(b1), vb2 = new(b2), va1 = new(1 - b1), va2 = new(1 - b2);
                Vector<float> vDecay = new(decay), vStep = new(stepSize), vSqrtC2 = new(sqrtC2), vE = new(e);
                for (; i <= p.Length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var gi = new Vector<float>(g, i);
                    Vector<float> m = (vb1 * new Vector<float>(s.M, i)) + (va1 * gi);
                    Vector<float> v = (vb2 * new Vector<float>(s.V, i)) + (va2 * gi * gi);
                    Vector<float> pi = new Vector<float>(p, i) * vDecay;
                    pi -= vStep * m / ((Vector.SquareRoot(v) / vSqrtC2) + vE);
                    m.CopyTo(s.M, i);
                    v.CopyTo(s.V, i);
                    pi.CopyTo(p, i);
                }
            }

            for (; i < p.Length; i++)
            {
                s.M[i] = (b1 * s.M[i]) + ((1 - b1) * g[i]);
                s.V[i] = (b2 * s.V[i]) + ((1 - b2) * g[i] * g[i]);
                p[i] *= decay;
                p[i] -= stepSize * s.M[i] / ((MathF.Sqrt(s.V[i]) / sqrtC2) + e);
            }
        }
    }
}
