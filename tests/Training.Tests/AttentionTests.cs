using PaDeLLM.Training.Layers;
using Xunit;
using Xunit.Abstractions;

namespace PaDeLLM.Training.Tests;

/// <summary>
/// Attention on both GEMMs (OpenBLAS on strided head views, and the engine's on gathered blocks)
/// against plain loops in double precision: two packed rows, GQA, a tree-like mask, and gradients
/// added to what dq, dk, dv already hold.
/// </summary>
public class AttentionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forward_and_backward_equal_the_definition(bool blas)
    {
        if (BlasCase.Unavailable(blas, output))
        {
            return;
        }

        const int heads = 4, kvHeads = 2, d = 8, first = 5, T = 11, N = first + T + 3;
        const int qd = heads * d, kvd = kvHeads * d;
        var rng = new Random(5);
        float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
        float[] q = R(N * qd), k = R(N * kvd), v = R(N * kvd), dOut = R(N * qd);
        float[] dq0 = R(N * qd), dk0 = R(N * kvd), dv0 = R(N * kvd);
        bool[] visible = new bool[T * T];
        for (int i = 0; i < T; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                visible[(i * T) + j] = j == i || rng.Next(3) > 0;
            }
        }

        float[] o = R(N * qd), o0 = [.. o], probs = new float[heads * T * T];
        float[] dq = [.. dq0], dk = [.. dk0], dv = [.. dv0];
        AttentionLayer.Forward(o, probs, q, k, v, visible, first, T, heads, kvHeads, d, blas);
        AttentionLayer.Backward(dq, dk, dv, dOut, probs, q, k, v, first, T, heads, kvHeads, d, blas);

        double[] eo = o0.Select(x => (double)x).ToArray();
        double[] edq = dq0.Select(x => (double)x).ToArray(), edk = dk0.Select(x => (double)x).ToArray();
        double[] edv = dv0.Select(x => (double)x).ToArray();
        double scale = 1 / Math.Sqrt(d);
        for (int h = 0; h < heads; h++)
        {
            int kv = h / (heads / kvHeads);
            double Q(int t, int i) => q[((first + t) * qd) + (h * d) + i];
            double K(int t, int i) => k[((first + t) * kvd) + (kv * d) + i];
            double V(int t, int i) => v[((first + t) * kvd) + (kv * d) + i];
            double DO(int t, int i) => dOut[((first + t) * qd) + (h * d) + i];
            var p = new double[T, T];
            for (int i = 0; i < T; i++)
            {
                double max = double.NegativeInfinity, sum = 0;
                var s = new double[T];
                for (int j = 0; j < T; j++)
                {
                    s[j] = double.NegativeInfinity;
                    if (visible[(i * T) + j])
                    {
                        s[j] = Enumerable.Range(0, d).Sum(x => Q(i, x) * K(j, x)) * scale;
                    }

                    max = Math.Max(max, s[j]);
                }

                for (int j = 0; j < T; j++)
                {
                    sum += p[i, j] = Math.Exp(s[j] - max);
                }

                for (int j = 0; j < T; j++)
                {
                    p[i, j] /= sum;
                    Near(p[i, j], probs[(h * T * T) + (i * T) + j]);
                }

                for (int x = 0; x < d; x++)
                {
                    eo[((first + i) * qd) + (h * d) + x] = Enumerable.Range(0, T).Sum(j => p[i, j] * V(j, x));
                }
            }

            for (int i = 0; i < T; i++)
            {
                double[] dp = Enumerable.Range(0, T).Select(j => Enumerable.Range(0, d).Sum(x => DO(i, x) * V(j, x)))
                    .ToArray();
                double dot = Enumerable.Range(0, T).Sum(j => p[i, j] * dp[j]);
                for (int j = 0; j < T; j++)
                {
                    double ds = p[i, j] * (dp[j] - dot) * scale;
                    for (int x = 0; x < d; x++)
                    {
                        edq[((first + i) * qd) + (h * d) + x] += ds * K(j, x);
                        edk[((first + j) * kvd) + (kv * d) + x] += ds * Q(i, x);
                        edv[((first + j) * kvd) + (kv * d) + x] += p[i, j] * DO(i, x);
                    }
                }
            }
        }

        AllNear(eo, o);
        AllNear(edq, dq);
        AllNear(edk, dk);
        AllNear(edv, dv);
    }

    private static void AllNear(double[] expected, float[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Near(expected[i], actual[i]);
        }
    }

    private static void Near(double expected, float actual) =>
        Assert.True(Math.Abs(expected - actual) < 1e-5, $"{actual} differs from {expected}");
}
