using Microsoft.Extensions.Configuration;
using PaDeLLM.Contracts.Documents;

namespace PaDeLLM.Functions.Configuration;

/// <summary>
/// The app's settings, under the app-setting names the infrastructure and earlier deployments
/// use. Which model: a model host (<c>PADELLM_GPU_HOST_URL</c>, its key in
/// <c>PADELLM_GPU_HOST_KEY</c>), which wins when set, or a model directory loaded in this
/// process (<c>PADELLM_MODEL</c>). Which labels: <c>PADELLM_LABELS</c> (comma-separated), else
/// the model's labels.json, else CoNLL-2003's.
/// </summary>
public sealed class PadellmFunctionsOptions
{
    public const string ModelSetting = "PADELLM_MODEL";
    public const string GpuHostUrlSetting = "PADELLM_GPU_HOST_URL";
    public const string GpuHostKeySetting = "PADELLM_GPU_HOST_KEY";
    public const string LabelsSetting = "PADELLM_LABELS";
    public const string ResultsContainerSetting = "PADELLM_RESULTS_CONTAINER";
    public const string CorpusConcurrencySetting = "PADELLM_CORPUS_CONCURRENCY";
    public const string CorpusChunkSizeSetting = "PADELLM_CORPUS_CHUNK_SIZE";
    public const string MaxTextCharsSetting = "PADELLM_MAX_TEXT_CHARS";

    [ConfigurationKeyName(ModelSetting)]
    public string? Model { get; set; }

    [ConfigurationKeyName(GpuHostUrlSetting)]
    public string? GpuHostUrl { get; set; }

    [ConfigurationKeyName(GpuHostKeySetting)]
    public string? GpuHostKey { get; set; }

    [ConfigurationKeyName(LabelsSetting)]
    public string? Labels { get; set; }

    /// <summary>
    /// Where results go; only written, so it may be renamed freely. The corpus container and the
    /// ingest queue are the triggers' own (<see cref="AppNames"/>): bindings are compiled in.
    /// </summary>
    [ConfigurationKeyName(ResultsContainerSetting)]
    public string ResultsContainer { get; set; } = AppNames.ResultsContainer;

    /// <summary>ExtractDocument sub-orchestrations a corpus run keeps in flight.</summary>
    [ConfigurationKeyName(CorpusConcurrencySetting)]
    public int CorpusConcurrency { get; set; } = 8;

    /// <summary>Documents per ProcessCorpus generation (it continues as new after each: bounded histories).</summary>
    [ConfigurationKeyName(CorpusChunkSizeSetting)]
    public int CorpusChunkSize { get; set; } = 256;

    /// <summary>The longest text <c>api/extract</c> accepts (longer: 413).</summary>
    [ConfigurationKeyName(MaxTextCharsSetting)]
    public int MaxTextChars { get; set; } = 8_192;

    /// <summary>What is wrong with these settings, each naming its setting; empty when usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (CorpusConcurrency is < 1 or > 1024)
        {
            problems.Add($"{CorpusConcurrencySetting} must be 1-1024, not {CorpusConcurrency}");
        }

        if (CorpusChunkSize is < 1 or > 10_000)
        {
            problems.Add($"{CorpusChunkSizeSetting} must be 1-10000, not {CorpusChunkSize}");
        }

        if (MaxTextChars < 1 || MaxTextChars > CorpusDocuments.MaxTextChars)
        {
            problems.Add($"{MaxTextCharsSetting} must be 1-{CorpusDocuments.MaxTextChars}, not {MaxTextChars}");
        }

        if (string.IsNullOrWhiteSpace(ResultsContainer))
        {
            problems.Add($"{ResultsContainerSetting} must not be empty");
        }

        if (NonEmpty(GpuHostUrl) is string url
            && !(Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https"))
        {
            problems.Add($"{GpuHostUrlSetting} must be an absolute http(s) URL");
        }

        return problems;
    }

    internal static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
