using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Model.Kernels;

/// <summary>
/// Loads weights as F32 vectors; kernels are generic over it so the JIT emits one specialised loop per dtype.
/// </summary>
internal unsafe interface IWeightLoader
{
    static abstract float Scalar(void* p, long i);

    static abstract Vector512<float> Load512(void* p, long i);

    static abstract Vector256<float> Load256(void* p, long i);
}

internal readonly unsafe struct F32Loader : IWeightLoader
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Scalar(void* p, long i) => ((float*)p)[i];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(void* p, long i) => Vector512.Load((float*)p + i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(void* p, long i) => Vector256.Load((float*)p + i);
}

/// <summary>BF16 widens exactly to F32 by a 16-bit left shift, done in registers (vpmovzxwd + vpslld).</summary>
internal readonly unsafe struct Bf16Loader : IWeightLoader
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Scalar(void* p, long i) => BFloat16.ToSingle(((ushort*)p)[i]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(void* p, long i)
    {
        Vector256<ushort> h = Vector256.Load((ushort*)p + i);
        Vector512<uint> wide = Vector512.WidenLower(h.ToVector512Unsafe());
        return Vector512.ShiftLeft(wide, 16).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(void* p, long i)
    {
        Vector128<ushort> h = Vector128.Load((ushort*)p + i);
        Vector256<uint> wide = Vector256.WidenLower(h.ToVector256Unsafe());
        return Vector256.ShiftLeft(wide, 16).AsSingle();
    }
}
