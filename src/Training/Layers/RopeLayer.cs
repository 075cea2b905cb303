namespace PaDeLLM.Training.Layers;

/// <summary>
/// Rotary embedding at given positions (rotate-half). A rotation is orthogonal, so the backward
/// pass is the same rotation by −θ. The cos/sin of each position's angles are computed once for
/// the positions given and kept while the same positions come back (every layer of a step, and
/// every step of a batch of one shape).
/// </summary>
public sealed class RopeLayer(int headDim, double theta)
{
    private readonly float[] _invFreq = Model.Kernels.Rope.InverseFrequencies(headDim, theta);
    private int[] _positions = [];
    private float[] _cos = [], _sin = [];

    public void Forward(float[] x, int rows, int heads, int[] positions) => Rotate(x, rows, heads, positions, +1);

    public void Backward(float[] dx, int rows, int heads, int[] positions) => Rotate(dx, rows, heads, positions, -1);

    private void Rotate(float[] x, int rows, int heads, int[] positions, int sign)
    {
        int half = headDim / 2;
        Tables(positions.AsSpan(0, rows), half);
        for (int t = 0; t < rows; t++)
        {
            ReadOnlySpan<float> cos = _cos.AsSpan(t * half, half), sin = _sin.AsSpan(t * half, half);
            for (int h = 0; h < heads; h++)
            {
                Span<float> lo = x.AsSpan((t * heads * headDim) + (h * headDim), half);
                Span<float> hi = x.AsSpan((t * heads * headDim) + (h * headDim) + half, half);
                for (int i = 0; i < half; i++)
                {
                    float a = lo[i], b = hi[i], c = cos[i], s = sign * sin[i];
                    lo[i] = (a * c) - (b * s);
                    hi[i] = (b * c) + (a * s);
                }
            }
        }
    }

    private void Tables(ReadOnlySpan<int> positions, int half)
    {
        if (positions.SequenceEqual(_positions))
        {
            return;
        }

        _positions = positions.ToArray();
        _cos = new float[positions.Length * half];
        _sin = new float[positions.Length * half];
        for (int t = 0; t < positions.Length; t++)
        {
            for (int i = 0; i < half; i++)
            {
                float angle = positions[t] * _invFreq[i];
                _cos[(t * half) + i] = MathF.Cos(angle);
                _sin[(t * half) + i] = MathF.Sin(angle);
            }
        }
    }
}
