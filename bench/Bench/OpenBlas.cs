using System.Runtime.InteropServices;

namespace PaDeLLM.Bench;

/// <summary>OpenBLAS's sgemm, the peer our GEMM is measured against (Debian libopenblas0; benchmark only).</summary>
internal static unsafe partial class OpenBlas
{
    private const string Library = "libopenblas.so.0";
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    public static bool Available
    {
        get
        {
            try
            {
                return NativeLibrary.TryLoad(Library, out _);
            }
            catch (DllNotFoundException)
            {
                return false;
            }
        }
    }

    [LibraryImport(Library, EntryPoint = "cblas_sgemm")]
    private static partial void Sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, float* a,
        int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library, EntryPoint = "openblas_set_num_threads")]
    public static partial void SetThreads(int threads);

    /// <summary>Y[M, N] = X[M, K] · W[N, K]ᵀ, the same contract as our MatMul.</summary>
    public static void MatMulNT(float* y, float* x, float* w, int m, int k, int n) =>
        Sgemm(RowMajor, NoTrans, Trans, m, n, k, 1f, x, k, w, k, 0f, y, n);
}
