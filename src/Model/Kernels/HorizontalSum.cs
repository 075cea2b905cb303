using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PaDeLLM.Model.Kernels;

/// <summary>
/// The sums of four vectors' lanes at once, as one 4-float vector: a dot-product kernel ends each
/// block by reducing its accumulators, and at the small models' K (256 to 1,024) reducing them one by
/// one costs about as much as the products themselves. Interleaving the four first (two unpacks,
/// then 128-bit lanes folded) takes about a third of the shuffles.
/// </summary>
public static class HorizontalSum
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
    {
        if (Avx512F.IsSupported)
        {
            // per 128-bit lane: [a0+a2, b0+b2, a1+a3, b1+b3] and the same for c, d
            Vector512<float> ab = Avx512F.UnpackLow(a, b) + Avx512F.UnpackHigh(a, b);
            Vector512<float> cd = Avx512F.UnpackLow(c, d) + Avx512F.UnpackHigh(c, d);

            // per lane: [a, b, c, d] partial sums
            // (the unpacks move pairs of floats as one double; the adds are of floats)
            Vector512<float> abcd = Avx512F.UnpackLow(ab.AsDouble(), cd.AsDouble()).AsSingle()
                + Avx512F.UnpackHigh(ab.AsDouble(), cd.AsDouble()).AsSingle();
            Vector256<float> half = abcd.GetLower() + abcd.GetUpper();
            return half.GetLower() + half.GetUpper();
        }

        return Vector128.Create(Vector512.Sum(a), Vector512.Sum(b), Vector512.Sum(c), Vector512.Sum(d));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Of4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        if (Avx.IsSupported)
        {
            Vector256<float> ab = Avx.UnpackLow(a, b) + Avx.UnpackHigh(a, b);
            Vector256<float> cd = Avx.UnpackLow(c, d) + Avx.UnpackHigh(c, d);
            Vector256<float> abcd = Avx.UnpackLow(ab.AsDouble(), cd.AsDouble()).AsSingle()
                + Avx.UnpackHigh(ab.AsDouble(), cd.AsDouble()).AsSingle();
            return abcd.GetLower() + abcd.GetUpper();
        }

        return Vector128.Create(Vector256.Sum(a), Vector256.Sum(b), Vector256.Sum(c), Vector256.Sum(d));
    }
}
