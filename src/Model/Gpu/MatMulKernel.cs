namespace PaDeLLM.Model.Gpu;

/// <summary>Which kernel a matrix product runs: by its row count, or one named (tests, the kernel benchmark).</summary>
public enum MatMulKernel
{
    /// <summary>
    /// <see cref="Kernels.GpuMatMul.Skinny"/> up to <see cref="GpuKernels.SkinnyMaxRows"/> rows, else tiled.
    /// </summary>
    Auto,

    /// <summary><see cref="Kernels.GpuMatMul.Skinny"/>: one group per four output columns, K split.</summary>
    Skinny,

    /// <summary><see cref="Kernels.GpuMatMul.Gemm"/>: register-tiled blocks.</summary>
    Tiled,
}
