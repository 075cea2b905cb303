using PaDeLLM.Contracts.Engine;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Functions.Configuration;

/// <summary>
/// The model behind the count and mention activities, chosen from the settings: the model host
/// when <c>PADELLM_GPU_HOST_URL</c> is set (Azure: the Function app stays small and CPU-only),
/// else the model directory <c>PADELLM_MODEL</c> in this process (local runs and tests).
/// </summary>
public static class EngineFactory
{
    public static IPadellmEngine Create(PadellmFunctionsOptions options, HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (PadellmFunctionsOptions.NonEmpty(options.GpuHostUrl) is string url)
        {
            if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out Uri? baseAddress)
                || baseAddress.Scheme is not ("http" or "https"))
            {
                throw new InvalidOperationException(
                    $"{PadellmFunctionsOptions.GpuHostUrlSetting} must be an absolute http(s) URL");
            }

            return new HttpPadellmEngine(http, baseAddress, PadellmFunctionsOptions.NonEmpty(options.GpuHostKey));
        }

        if (PadellmFunctionsOptions.NonEmpty(options.Model) is string dir)
        {
            if (!Directory.Exists(dir))
            {
                throw new InvalidOperationException(
                    $"{PadellmFunctionsOptions.ModelSetting}: model directory '{dir}' does not exist");
            }

            try
            {
                return new PadellmEngineService(DecoderModel.Load(dir), TokenizerLoader.Load(dir))
                {
                    ModelName = new DirectoryInfo(dir).Name,
                };
            }
            catch (Exception e) when (e is IOException or FormatException or InvalidDataException
                or ArgumentException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException(
                    $"{PadellmFunctionsOptions.ModelSetting}: cannot load the model in '{dir}': {e.Message}", e);
            }
        }

        throw new InvalidOperationException(
            $"no model: set {PadellmFunctionsOptions.GpuHostUrlSetting} (the model host's URL, with "
            + $"{PadellmFunctionsOptions.GpuHostKeySetting}) or {PadellmFunctionsOptions.ModelSetting} "
            + "(a model directory to run in this process)");
    }
}
