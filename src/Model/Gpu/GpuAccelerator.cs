using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace PaDeLLM.Model.Gpu;

/// <summary>
/// The device the GPU backend runs on: the first CUDA device when the NVIDIA driver shows one,
/// else ILGPU's CPU accelerator, which runs the same kernels (groups as threads) anywhere, so
/// every kernel is tested on machines without a GPU. ILGPU compiles the kernels to PTX at run
/// time and needs only the driver (no CUDA toolkit).
/// </summary>
public sealed class GpuAccelerator : IDisposable
{
    private readonly Context _context;

    private GpuAccelerator(Context context, Accelerator accelerator)
    {
        _context = context;
        Accelerator = accelerator;
        int groupLimit = Math.Min(Kernels.GroupReduce.MaxGroup, accelerator.MaxNumThreadsPerGroup);
        GroupSize = 1 << (31 - int.LeadingZeroCount(groupLimit)); // reductions halve: a power of two
        int tile = 1;
        while (tile * 2 <= Kernels.GpuMatMul.MaxSide && (tile * 2) * (tile * 2) <= accelerator.MaxNumThreadsPerGroup)
        {
            tile *= 2;
        }

        Tile = tile;
    }

    /// <summary>
    /// The CPU accelerator's shape: ILGPU runs each thread of a group as an OS thread meeting the
    /// others at every barrier, so small groups are what a CPU can run (CI has two cores).
    /// </summary>
    public static CPUDevice CpuSimulator { get; } =
        new(numThreadsPerWarp: 2, numWarpsPerMultiprocessor: 1, numMultiprocessors: 1);

    public Accelerator Accelerator { get; }

    public bool IsCuda => Accelerator.AcceleratorType == AcceleratorType.Cuda;

    /// <summary>Threads of the one-dimensional groups (row reductions, attention).</summary>
    public int GroupSize { get; }

    /// <summary>Side S of the tiled matrix product's groups: S×S threads, each 4×4 outputs.</summary>
    public int Tile { get; }

    public string Description => IsCuda
        ? $"CUDA, {Accelerator.Name}, {Accelerator.MemorySize / (1 << 20):N0} MiB"
        : "ILGPU's CPU accelerator: no CUDA device found, so the GPU kernels run on the CPU, "
            + "for correctness, not speed";

    /// <summary>CUDA when a device is present (unless <paramref name="cpuOnly"/>), else the CPU accelerator.</summary>
    public static GpuAccelerator Open(bool cpuOnly = false, CPUDevice? cpu = null)
    {
        // EnableAlgorithms: exp, log and the like have no PTX intrinsic in ILGPU itself.
        Context context = Context.Create(
            b => b.Cuda().CPU(cpu ?? CpuSimulator).EnableAlgorithms().Optimize(OptimizationLevel.O1));
        try
        {
            Device device = !cpuOnly && context.GetCudaDevices().Count > 0
                ? context.GetCudaDevice(0)
                : context.GetCPUDevice(0);
            return new GpuAccelerator(context, device.CreateAccelerator(context));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }
}
