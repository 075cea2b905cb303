namespace PaDeLLM.Model.Inference;

/// <summary>
/// A prompt does not fit the model's context: refused before it enters a batch, so it fails its
/// own request alone (HTTP 413 at the model host, exit 2 at the command line).
/// </summary>
public sealed class ContextLengthExceededException(int needed, int limit)
    : ArgumentException($"the prompt needs {needed} positions; the model's context is {limit} tokens")
{
    public int Needed { get; } = needed;

    public int Limit { get; } = limit;
}
