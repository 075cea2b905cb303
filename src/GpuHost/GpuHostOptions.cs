using PaDeLLM.Ner.Labels;

namespace PaDeLLM.GpuHost;

/// <summary>How the host is run. Binds to loopback unless told otherwise; an API key, when set, is required on every call but the probes.</summary>
public sealed record GpuHostOptions
{
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    /// <summary>Required in the <c>x-api-key</c> header when set (never logged).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Longest text accepted, in characters; longer is 413.</summary>
    public int MaxTextChars { get; init; } = 8_192;

    /// <summary>Largest request body, in bytes; larger is 413.</summary>
    public int MaxBodyBytes { get; init; } = 256 * 1024;

    /// <summary>Largest count a mention call may name.</summary>
    public int MaxCount { get; init; } = 64;

    /// <summary>Requests waiting to join the decode batch before new ones get 429.</summary>
    public int MaxQueuedJobs { get; init; } = 1024;

    /// <summary>Seconds a client is told to wait after a 429.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>Also serve the pipeline API (<c>/api/extract</c>: 202 + status, as Durable's HTTP start does).</summary>
    public bool PipelineApi { get; init; } = true;

    /// <summary>The schema used when a request names none (the model's labels.json, else CoNLL-2003's).</summary>
    public required LabelSchema DefaultSchema { get; init; }
}
