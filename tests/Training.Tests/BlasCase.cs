using PaDeLLM.Training.Layers;
using Xunit.Abstractions;

namespace PaDeLLM.Training.Tests;

/// <summary>The OpenBLAS case of a layer test, skipped with a printed reason where the library is missing.</summary>
internal static class BlasCase
{
    public static bool Unavailable(bool blas, ITestOutputHelper output)
    {
        if (blas && !OpenBlas.Available)
        {
            output.WriteLine("SKIPPED: libopenblas.so.0 is not on this machine (apt-get install libopenblas0-pthread)");
            return true;
        }

        return false;
    }
}
