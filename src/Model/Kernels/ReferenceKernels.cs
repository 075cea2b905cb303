namespace PaDeLLM.Model.Kernels;

/// <summary>
/// Plain scalar versions of every kernel, written from the definitions with no tricks,
/// accumulating in double. Tests hold the fast kernels to these; nothing else uses them.
/// </summary>
public static class ReferenceKernels
{
    public static void MatMul(float[] y, float[] x, float[] w, float[]? bias, int m, int k, int n)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = bias?[j] ?? 0;
                for (int p = 0; p < k; p++)
                {
                    s += (double)x[(i * k) + p] * w[(j * k) + p];
                }

                y[(i * n) + j] = (float)s;
            }
        }
    }

    public static void RmsNorm(float[] y, float[] x, float[] weight, int rows, float eps)
    {
        int d = weight.Length;
        for (int r = 0; r < rows; r++)
        {
            double ms = 0;
            for (int i = 0; i < d; i++)
            {
                ms += (double)x[(r * d) + i] * x[(r * d) + i];
            }

            double inv = 1.0 / Math.Sqrt((ms / d) + eps);
            for (int i = 0; i < d; i++)
            {
                y[(r * d) + i] = (float)(x[(r * d) + i] * inv * weight[i]);
            }
        }
    }

    public static void Rope(float[] x, int heads, int headDim, int position, double theta)
    {
        int half = headDim / 2;
        for (int h = 0; h < heads; h++)
        {
            for (int i = 0; i < half; i++)
            {
                double angle = position * Math.Pow(theta, -2.0 * i / headDim);
                double a = x[(h * headDim) + i], b = x[(h * headDim) + i + half];
                x[(h * headDim) + i] = (float)((a * Math.Cos(angle)) - (b * Math.Sin(angle)));
                x[(h * headDim) + i + half] = (float)((b * Math.Cos(angle)) + (a * Math.Sin(angle)));
            }
        }
    }

    public static void Softmax(float[] x)
    {
        double max = x.Max();
        double sum = x.Sum(v => Math.Exp(v - max));
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(Math.Exp(x[i] - max) / sum);
        }
    }

    public static void SwiGlu(float[] output, float[] gate, float[] up)
    {
        for (int i = 0; i < output.Length; i++)
        {
            double g = gate[i];
            output[i] = (float)(g / (1 + Math.Exp(-g)) * up[i]);
        }
    }

    public static int Argmax(float[] x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i] > x[best])
            {
                best = i;
            }
        }

        return best;
    }

    public static double LogSoftmaxAt(float[] x, int index)
    {
        double max = x.Max();
        return x[index] - max - Math.Log(x.Sum(v => Math.Exp(v - max)));
    }

    /// <summary>Causal GQA attention of one query over keys/values [T, kvHeads·headDim].</summary>
    public static void Attention(float[] output, float[] query, float[] keys, float[] values, int visible, int heads,
        int kvHeads, int headDim)
    {
        int kvDim = kvHeads * headDim;
        for (int h = 0; h < heads; h++)
        {
            int kv = h / (heads / kvHeads);
            var s = new double[visible];
            for (int t = 0; t < visible; t++)
            {
                double dot = 0;
                for (int i = 0; i < headDim; i++)
                {
                    dot += (double)query[(h * headDim) + i] * keys[(t * kvDim) + (kv * headDim) + i];
                }

                s[t] = dot / Math.Sqrt(headDim);
            }

            double max = s.Max();
            double z = s.Sum(v => Math.Exp(v - max));
            for (int i = 0; i < headDim; i++)
            {
                double o = 0;
                for (int t = 0; t < visible; t++)
                {
                    o += Math.Exp(s[t] - max) / z * values[(t * kvDim) + (kv * headDim) + i];
                }

                output[(h * headDim) + i] = (float)o;
            }
        }
    }
}
