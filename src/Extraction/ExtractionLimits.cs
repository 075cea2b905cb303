using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Parsing;

namespace PaDeLLM.Extraction;

/// <summary>How long a count or mention sequence may run, and the largest count read as one.</summary>
public sealed record ExtractionLimits
{
    public static readonly ExtractionLimits Default = new();

    public int MaxCountTokens { get; init; } = 4;

    public int MaxMentionTokens { get; init; } = 32;

    public int MaxCount { get; init; } = CountOutputParser.DefaultMaxCount;

    /// <summary>
    /// Refuses a text whose longest count prompt, with the count, a mention marker and the longest
    /// mention after it, would not fit the model's context: before any of its sequences is decoded.
    /// </summary>
    public void EnsureFits(IEnumerable<int[]> countPrompts, int context)
    {
        int longest = countPrompts.Max(p => p.Length);
        int needed = longest + MaxCountTokens + 1 + MaxMentionTokens;
        if (needed > context)
        {
            throw new ContextLengthExceededException(needed, context);
        }
    }
}
