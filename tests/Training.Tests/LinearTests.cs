using PaDeLLM.Training.Layers;
using Xunit;
using Xunit.Abstractions;

namespace PaDeLLM.Training.Tests;

/// <summary>
/// The linear layer on both GEMMs (OpenBLAS and the engine's) against plain loops in double precision.
/// </summary>
public class LinearTests(ITestOutputHelper output)
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

        const int rows = 37, inF = 29, outF = 23;
        var rng = new Random(3);
        float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
        float[] x = R(rows * inF), w = R(outF * inF), b = R(outF), dy = R(rows * outF);
        float[] dx0 = R(rows * inF), dw0 = R(outF * inF), db0 = R(outF); // accumulated into
        float[] y = new float[rows * outF], dx = [.. dx0], dw = [.. dw0], db = [.. db0];

        Linear.Forward(y, x, w, b, rows, inF, outF, blas);
        Linear.Backward(dx, dw, db, dy, x, w, rows, inF, outF, blas);

        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outF; o++)
            {
                double s = b[o];
                for (int i = 0; i < inF; i++)
                {
                    s += (double)x[(r * inF) + i] * w[(o * inF) + i];
                }

                Near(s, y[(r * outF) + o]);
            }

            for (int i = 0; i < inF; i++)
            {
                double s = dx0[(r * inF) + i];
                for (int o = 0; o < outF; o++)
                {
                    s += (double)dy[(r * outF) + o] * w[(o * inF) + i];
                }

                Near(s, dx[(r * inF) + i]);
            }
        }

        for (int o = 0; o < outF; o++)
        {
            double sb = db0[o];
            for (int r = 0; r < rows; r++)
            {
                sb += dy[(r * outF) + o];
            }

            Near(sb, db[o]);
            for (int i = 0; i < inF; i++)
            {
                double s = dw0[(o * inF) + i];
                for (int r = 0; r < rows; r++)
                {
                    s += (double)dy[(r * outF) + o] * x[(r * inF) + i];
                }

                Near(s, dw[(o * inF) + i]);
            }
        }
    }

    private static void Near(double expected, float actual) =>
        Assert.True(Math.Abs(expected - actual) < 1e-4, $"{actual} differs from {expected}");
}
