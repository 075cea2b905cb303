namespace PaDeLLM.Extraction;

/// <summary>How a PaDeLLM request's sequences are decoded.</summary>
public enum DecodingMode
{
    /// <summary>
    /// One request's tree decoded together: counts batched, then mentions batched, shared prefixes computed once.
    /// </summary>
    Batch,

    /// <summary>
    /// Every sequence decoded alone from scratch, as on one device per sequence (the paper's
    /// "multi" setting): latency is the slowest count plus the slowest mention.
    /// </summary>
    Multi,
}
