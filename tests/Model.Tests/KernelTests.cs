using PaDeLLM.Model.Kernels;
using PaDeLLM.Model.Numerics;
using Xunit;

namespace PaDeLLM.Model.Tests;

/// <summary>Every fast kernel against its plain scalar reference.</summary>
public unsafe class KernelTests
{
    private static float[] Random(int n, int seed, float scale = 1)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => ((float)rng.NextDouble() * 2 - 1) * scale).ToArray();
    }

    private static void Close(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"index {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    [Theory]
    [InlineData(1, 64, 4)]
    [InlineData(1, 184, 301)]
    [InlineData(2, 48, 9)]
    [InlineData(3, 7, 5)]
    [InlineData(4, 16, 4)]
    [InlineData(5, 200, 67)]
    [InlineData(9, 64, 184)]
    [InlineData(33, 768, 130)]
    [InlineData(70, 96, 257)]
    public void MatMul_f32_matches_reference(int m, int k, int n)
    {
        float[] x = Random(m * k, 1), w = Random(n * k, 2), bias = Random(n, 3);
        float[] expected = new float[m * n], actual = new float[m * n];
        ReferenceKernels.MatMul(expected, x, w, bias, m, k, n);
        fixed (float* pw = w)
        {
            MatMul.Forward(actual, x, new Weight(pw, DType.F32, n, k), bias, m);
        }

        Close(expected, actual, 1e-5f * MathF.Sqrt(k));
    }

    [Theory]
    [InlineData(1, 64, 4)]
    [InlineData(2, 184, 301)]
    [InlineData(3, 256, 12)]
    [InlineData(6, 40, 9)]
    [InlineData(7, 384, 20)]
    [InlineData(17, 768, 64)]
    public void MatMul_bf16_weights_match_reference_on_the_widened_values(int m, int k, int n)
    {
        float[] x = Random(m * k, 4), w = Random(n * k, 5);
        var bits = new ushort[w.Length];
        BFloat16.FromSingle(w, bits);
        float[] widened = new float[w.Length];
        BFloat16.ToSingle(bits, widened);
        float[] expected = new float[m * n], actual = new float[m * n];
        ReferenceKernels.MatMul(expected, x, widened, null, m, k, n);
        fixed (ushort* pw = bits)
        {
            MatMul.Forward(actual, x, new Weight(pw, DType.BF16, n, k), default, m);
        }

        Close(expected, actual, 1e-5f * MathF.Sqrt(k));
    }

    [Theory]
    [InlineData(DType.F32, 40)]
    [InlineData(DType.BF16, 40)]
    [InlineData(DType.BF16, 384)]
    public void A_rows_result_does_not_depend_on_the_rows_beside_it(DType type, int k)
    {
        // Served results must not depend on how requests were batched: every row count (blocks of four,
        // then three, two or one left over) gives each row exactly what it gets alone.
        const int n = 37;
        float[] w = Random(n * k, 8);
        var bits = new ushort[w.Length];
        BFloat16.FromSingle(w, bits);
        float[] bias = Random(n, 9);
        fixed (float* pw = w)
        fixed (ushort* pb = bits)
        {
            Weight weight = type == DType.F32 ? new Weight(pw, DType.F32, n, k) : new Weight(pb, DType.BF16, n, k);
            for (int m = 1; m <= 9; m++)
            {
                float[] x = Random(m * k, 10 + m), all = new float[m * n], alone = new float[n];
                MatMul.Forward(all, x, weight, bias, m);
                for (int r = 0; r < m; r++)
                {
                    MatMul.Forward(alone, x.AsSpan(r * k, k), weight, bias, 1);
                    Assert.True(alone.AsSpan().SequenceEqual(all.AsSpan(r * n, n)), $"m {m}, row {r}");
                }
            }
        }
    }

    [Fact]
    public void RmsNorm_matches_reference()
    {
        float[] x = Random(5 * 96, 6, 3), w = Random(96, 7);
        float[] expected = new float[x.Length], actual = new float[x.Length];
        ReferenceKernels.RmsNorm(expected, x, w, 5, 1e-5f);
        RmsNorm.Forward(actual, x, w, 5, 1e-5f);
        Close(expected, actual, 1e-5f);
    }

    [Theory]
    [InlineData(16, 0, 10000.0)]
    [InlineData(16, 23, 1000000.0)]
    [InlineData(64, 511, 10000.0)]
    public void Rope_matches_reference(int headDim, int position, double theta)
    {
        float[] expected = Random(3 * headDim, 8), actual = (float[])expected.Clone();
        ReferenceKernels.Rope(expected, 3, headDim, position, theta);
        new Rope(headDim, theta).Apply(actual, 3, position);
        Close(expected, actual, 2e-4f); // angles are formed in F32, as transformers does
    }

    [Fact]
    public void Softmax_swiglu_argmax_logsoftmax_match_reference()
    {
        float[] x = Random(301, 9, 20);
        float[] expected = (float[])x.Clone(), actual = (float[])x.Clone();
        ReferenceKernels.Softmax(expected);
        Softmax.InPlace(actual);
        Close(expected, actual, 1e-5f);

        float[] g = Random(184, 10, 6), u = Random(184, 11);
        float[] e2 = new float[184], a2 = new float[184];
        ReferenceKernels.SwiGlu(e2, g, u);
        SwiGlu.Forward(a2, g, u);
        Close(e2, a2, 1e-6f);

        Assert.Equal(ReferenceKernels.Argmax(x), Sampling.Argmax(x));
        int i = ReferenceKernels.Argmax(x);
        Assert.Equal(ReferenceKernels.LogSoftmaxAt(x, i), Sampling.LogSoftmaxAt(x, i), 5);
        Assert.Equal(ReferenceKernels.LogSoftmaxAt(x, 3), Sampling.LogSoftmaxAt(x, 3), 5);
        Assert.Equal(0, Sampling.Argmax([1f, 3f, 3f, 2f]) - 1); // first of equal maxima
    }

    [Theory]
    [InlineData(4, 4, 16)]
    [InlineData(8, 2, 16)]
    [InlineData(12, 4, 64)]
    [InlineData(6, 3, 24)] // not a multiple of 16 floats: the library's calls, key by key
    public void Attention_over_split_runs_matches_reference_over_one_sequence(int heads, int kvHeads, int headDim)
    {
        int kvDim = kvHeads * headDim;
        int[] lengths = [5, 3, 7];
        int total = lengths.Sum();
        float[] keys = Random(total * kvDim, 12), values = Random(total * kvDim, 13), q = Random(heads * headDim, 14);
        int visible = total - 2; // the last run is cut: a token in the middle of its own node
        float[] expected = new float[heads * headDim], actual = new float[heads * headDim];
        ReferenceKernels.Attention(expected, q, keys, values, visible, heads, kvHeads, headDim);
        var runs = new KvRun[lengths.Length];
        for (int r = 0, start = 0; r < lengths.Length; start += lengths[r], r++)
        {
            runs[r] = new KvRun(keys[(start * kvDim)..((start + lengths[r]) * kvDim)],
                values[(start * kvDim)..((start + lengths[r]) * kvDim)], lengths[r]);
        }

        Attention.Forward(actual, q, runs, lengths[^1] - 2, heads, kvHeads, headDim, new float[total]);
        Close(expected, actual, 1e-5f);
    }

    [Theory]
    [InlineData(4, 4, 64)]
    [InlineData(6, 3, 24)]
    [InlineData(2, 2, 128)]
    public void Attention_is_bit_identical_however_the_context_is_split_into_runs(int heads, int kvHeads, int headDim)
    {
        // A request's result must not depend on the prefix tree's layout (a cached text, a restarted worker).
        int kvDim = kvHeads * headDim, total = 23;
        float[] keys = Random(total * kvDim, 21), values = Random(total * kvDim, 22), q = Random(heads * headDim, 23);
        float[] Attend(int[] lengths)
        {
            var runs = new KvRun[lengths.Length];
            for (int r = 0, start = 0; r < lengths.Length; start += lengths[r], r++)
            {
                runs[r] = new KvRun(keys[(start * kvDim)..((start + lengths[r]) * kvDim)],
                    values[(start * kvDim)..((start + lengths[r]) * kvDim)], lengths[r]);
            }

            float[] output = new float[heads * headDim];
            Attention.Forward(output, q, runs, lengths[^1], heads, kvHeads, headDim, new float[total]);
            return output;
        }

        float[] whole = Attend([total]);
        Assert.Equal(whole, Attend([5, 3, 15]));
        Assert.Equal(whole, Attend([1, 1, 1, 20]));
    }

    [Fact]
    public void Embedding_gathers_bf16_rows_widened_exactly()
    {
        float[] table = Random(10 * 6, 15);
        var bits = new ushort[table.Length];
        BFloat16.FromSingle(table, bits);
        float[] output = new float[3 * 6];
        fixed (ushort* pb = bits)
        {
            var w = new Weight(pb, DType.BF16, 10, 6);
            Embedding.Forward(output, w, [7, 0, 7]);
            Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Forward(new float[6], w, [10]));
        }

        for (int t = 0; t < 3; t++)
        {
            int id = new[] { 7, 0, 7 }[t];
            for (int i = 0; i < 6; i++)
            {
                Assert.Equal(BFloat16.ToSingle(bits[(id * 6) + i]), output[(t * 6) + i]);
            }
        }
    }

    [Fact]
    public void LogSoftmax_row_matches_reference_and_exponentiates_to_one()
    {
        float[] x = Random(301, 16, 30);
        float[] y = new float[x.Length];
        Sampling.LogSoftmax(x, y);
        for (int i = 0; i < x.Length; i += 37)
        {
            Assert.Equal(ReferenceKernels.LogSoftmaxAt(x, i), y[i], 4);
        }

        Assert.Equal(1.0, y.Sum(v => Math.Exp(v)), 4);
    }

    [Theory]
    [InlineData(1.0f, (ushort)0x3F80)]
    [InlineData(-2.0f, (ushort)0xC000)]
    [InlineData(1.00390625f, (ushort)0x3F80)] // exactly half-way, mantissa even: rounds down
    [InlineData(1.01171875f, (ushort)0x3F82)] // half-way, odd: rounds up to even
    [InlineData(float.PositiveInfinity, (ushort)0x7F80)]
    public void BFloat16_rounds_to_nearest_even(float value, ushort bits)
    {
        Assert.Equal(bits, BFloat16.FromSingle(value));
        Assert.True(float.IsNaN(BFloat16.ToSingle(BFloat16.FromSingle(float.NaN))));
    }
}
