using System.CommandLine;
using PaDeLLM.Model.Decoder;

namespace PaDeLLM.Cli;

/// <summary>
/// <c>--backend cpu|gpu</c> and <c>--gpu-kv-mb</c>, for every command that runs the decoder: the CPU
/// engine, or the ILGPU kernels (CUDA when a device is present, else ILGPU's CPU accelerator,
/// which the command then says). Default: $PADELLM_BACKEND, else cpu.
/// </summary>
internal sealed class BackendChoice
{
    public Option<string> Backend { get; } = new Option<string>("--backend")
    {
        Description = "cpu (the engine's own kernels) or gpu (ILGPU kernels: CUDA when a device is present, "
            + "else ILGPU's CPU accelerator, for correctness) (default: $PADELLM_BACKEND, else cpu)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PADELLM_BACKEND") is { Length: > 0 } env
            ? env
            : "cpu",
    }.AcceptOnlyFromAmong("cpu", "gpu");

    public Option<int?> KvMegabytes { get; } = new("--gpu-kv-mb")
    {
        Description = "device memory of the gpu backend's K/V pool in MiB (default: 40% of what the weights "
            + "leave on a CUDA device; 256 on the CPU accelerator)",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Backend);
        command.Options.Add(KvMegabytes);
    }

    /// <summary>
    /// The checkpoint on the chosen backend; a gpu backend says which device it found on <paramref name="log"/>.
    /// </summary>
    public DecoderModel Load(ParseResult r, string directory, TextWriter log)
    {
        DecoderBackend backend = DecoderBackends.Parse(r.GetValue(Backend)!, "--backend");
        int? mb = r.GetValue(KvMegabytes);
        if (mb is <= 0)
        {
            throw new UsageException($"--gpu-kv-mb must be a positive number of MiB, not {mb}");
        }

        DecoderModel model = DecoderModel.Load(directory, backend, mb is int m ? (long)m << 20 : null);
        if (backend == DecoderBackend.Gpu)
        {
            log.WriteLine($"backend: {model.Backend}");
        }

        return model;
    }
}
