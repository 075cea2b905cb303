using PaDeLLM.Ner.Labels;

namespace PaDeLLM.GpuHost;

/// <summary>
/// How the model host is run. Binds to loopback unless told otherwise;
/// an API key, when set, is required on every call but the probes.
/// </summary>
public sealed class GpuHostOptions
{
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>
    /// Required in the <c>x-api-key</c> header when set
    /// (never logged). An empty key is refused at startup.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Longest text accepted, in characters; longer is 413.</summary>
    public int MaxTextChars { get; set; } = 8_192;

    /// <summary>Largest request body, in bytes; larger is 413.</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Largest count a mention call may name.</summary>
    public int MaxCount { get; set; } = 64;

    /// <summary>Most labels one request may bring (each is a sequence in step 1).</summary>
    public int MaxLabels { get; set; } = 64;

    /// <summary>Requests waiting to join the decode batch before new ones get 429.</summary>
    public int MaxQueuedJobs { get; set; } = 1024;

    /// <summary>Seconds a client is told to wait after a 429.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>The schema used when a request names none (the model's labels.json, else CoNLL-2003's).</summary>
    public LabelSchema DefaultSchema { get; set; } = null!;

    /// <summary>Refuses settings that would leave the host open or unable to answer.</summary>
    public void Validate()
    {
        if (ApiKey is not null && ApiKey.Trim().Length == 0)
        {
            throw new ArgumentException("the API key is empty: give a non-empty key, or none to run without one");
        }

        if (DefaultSchema is null)
        {
            throw new ArgumentException("no default label schema");
        }

        if (MaxTextChars < 1 || MaxBodyBytes < 1 || MaxCount < 1 || MaxLabels < 1 || MaxQueuedJobs < 1
            || RetryAfterSeconds < 0)
        {
            throw new ArgumentException("every limit must be positive");
        }
    }
}
