using System.Runtime.InteropServices;

namespace PaDeLLM.Training.Layers;

/// <summary>
/// OpenBLAS's sgemm (Debian's libopenblas0), when the machine has it: the training GEMMs with
/// either operand transposed in place, as PyTorch runs them, where the engine's kernel computes
/// only X·Wᵀ and the backward pass had to transpose its operands first. Without the library, or
/// with <c>PADELLM_BLAS=off</c>, <see cref="Linear"/> uses the engine's kernel. Imported directly:
/// the served MathNet OpenBLAS provider needs its own native wrapper, which no Linux package ships.
/// </summary>
internal static unsafe partial class OpenBlas
{
    private const string Library = "libopenblas.so.0";
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    public static readonly bool Available = Load();

    /// <summary>C[m, n] = op(A)·op(B) + beta·C, row-major; op(A) is [m, k], op(B) is [k, n].</summary>
    public static void Gemm(bool transA, bool transB, int m, int n, int k, float* a, float* b, float beta, float* c) =>
        Sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, 1f,
            a, transA ? m : k, b, transB ? k : n, beta, c, n);

    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C on strided row-major views (lda, ldb, ldc: the distance
    /// between rows), so that one head's columns of a [tokens, heads·d] tensor are read in place.
    /// </summary>
    public static void Gemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc) =>
        Sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha,
            a, lda, b, ldb, beta, c, ldc);

    private static bool Load()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("PADELLM_BLAS"), "off", StringComparison.OrdinalIgnoreCase)
            || !NativeLibrary.TryLoad(Library, out _))
        {
            return false;
        }

        // As many threads as the process may use (DOTNET_PROCESSOR_COUNT), not every core it sees.
        SetThreads(Environment.ProcessorCount);
        return true;
    }

    [LibraryImport(Library, EntryPoint = "cblas_sgemm")]
    private static partial void Sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library, EntryPoint = "openblas_set_num_threads")]
    private static partial void SetThreads(int threads);
}
