using System.Runtime.Intrinsics;
using PaDeLLM.Model.Kernels;
using Xunit;

namespace PaDeLLM.Model.Tests;

public class HorizontalSumTests
{
    [Fact]
    public void Four_vectors_sums_equal_each_vectors_own_sum()
    {
        var rng = new Random(7);
        float[] Next(int n) => Enumerable.Range(0, n).Select(_ => (float)rng.Next(-50, 50)).ToArray();

        // Integers: every order of summation gives the same float, so the comparison is exact.
        float[][] w = [Next(16), Next(16), Next(16), Next(16)];
        Vector512<float>[] v = w.Select(a => Vector512.Create(a)).ToArray();
        Vector128<float> sums = HorizontalSum.Of4(v[0], v[1], v[2], v[3]);
        Assert.Equal(w.Select(a => a.Sum()), [sums[0], sums[1], sums[2], sums[3]]);

        Vector256<float>[] h = w.Select(a => Vector256.Create(a.AsSpan(0, 8))).ToArray();
        sums = HorizontalSum.Of4(h[0], h[1], h[2], h[3]);
        Assert.Equal(w.Select(a => a.Take(8).Sum()), [sums[0], sums[1], sums[2], sums[3]]);
    }
}
