using System.Numerics.Tensors;

namespace PaDeLLM.Training.Layers;

/// <summary>
/// y = x·r·w with r = 1/sqrt(mean(x²) + eps). Backward, per row with g = dy ⊙ w:
/// dx = r·g − x·r³·(g·x)/d, and dw += dy ⊙ x·r.
/// </summary>
public static class RmsNormLayer
{
    public static void Forward(float[] y, float[] rstd, float[] x, float[] w, int rows, int d, float eps)
    {
        for (int t = 0; t < rows; t++)
        {
            ReadOnlySpan<float> xr = x.AsSpan(t * d, d);
            float r = 1f / MathF.Sqrt((TensorPrimitives.Dot(xr, xr) / d) + eps);
            rstd[t] = r;
            Span<float> yr = y.AsSpan(t * d, d);
            TensorPrimitives.Multiply(xr, r, yr);
            TensorPrimitives.Multiply(yr, w, yr);
        }
    }

    /// <param name="dx">Accumulated into (+=): the residual stream's gradient.</param>
    public static void Backward(float[] dx, float[] dw, float[] dy, float[] x, float[] rstd, float[] w, int rows, int d)
    {
        Span<float> g = stackalloc float[d], dyx = stackalloc float[d];
        for (int t = 0; t < rows; t++)
        {
            ReadOnlySpan<float> xr = x.AsSpan(t * d, d), dyr = dy.AsSpan(t * d, d);
            Span<float> dxr = dx.AsSpan(t * d, d);
            float r = rstd[t];
            TensorPrimitives.Multiply(dyr, w, g);
            float gx = TensorPrimitives.Dot(g, xr);
            TensorPrimitives.MultiplyAdd(g, r, dxr, dxr);                  // dx += r·g
            TensorPrimitives.MultiplyAdd(xr, -r * r * r * gx / d, dxr, dxr); //    − x·r³·(g·x)/d
            TensorPrimitives.Multiply(dyr, xr, dyx);
            TensorPrimitives.MultiplyAdd(dyx, r, dw, dw);                   // dw += dy ⊙ x·r
        }
    }
}
