using PaDeLLM.Ner.Parsing;

namespace PaDeLLM.Extraction;

/// <summary>How long a count or mention sequence may run, and the largest count read as one.</summary>
public sealed record ExtractionLimits
{
    public static readonly ExtractionLimits Default = new();

    public int MaxCountTokens { get; init; } = 4;

    public int MaxMentionTokens { get; init; } = 32;

    public int MaxCount { get; init; } = CountOutputParser.DefaultMaxCount;
}
