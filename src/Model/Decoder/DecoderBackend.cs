namespace PaDeLLM.Model.Decoder;

/// <summary>
/// What runs the decoder: the CPU engine (<see cref="Kernels"/>), or the ILGPU kernels
/// (<see cref="Gpu.GpuDecoder"/>) on a CUDA device when one is present, else on ILGPU's CPU
/// accelerator.
/// </summary>
public enum DecoderBackend
{
    Cpu,
    Gpu,
}

public static class DecoderBackends
{
    public static DecoderBackend Parse(string value, string source) => value.ToLowerInvariant() switch
    {
        "cpu" => DecoderBackend.Cpu,
        "gpu" => DecoderBackend.Gpu,
        _ => throw new ArgumentException($"{source}: unknown backend '{value}' (expected cpu or gpu)"),
    };
}
