namespace PaDeLLM.Ner.Data;

public enum OffsetUnit
{
    /// <summary>Offsets index the text split on single spaces (the English sets).</summary>
    WhitespaceToken,

    /// <summary>Offsets index Unicode code points (the Chinese sets).</summary>
    CodePoint,
}

/// <summary>How a dataset's [start, end] offsets are to be read. The PaDeLLM files do not
/// agree: conll03 is end-inclusive over tokens, genia end-exclusive, Chinese end-inclusive
/// over code points.</summary>
public sealed record OffsetConvention(OffsetUnit Unit, bool EndInclusive)
{
    public static readonly OffsetConvention TokensInclusive = new(OffsetUnit.WhitespaceToken, true);
    public static readonly OffsetConvention TokensExclusive = new(OffsetUnit.WhitespaceToken, false);
    public static readonly OffsetConvention CodePointsInclusive = new(OffsetUnit.CodePoint, true);
    public static readonly OffsetConvention CodePointsExclusive = new(OffsetUnit.CodePoint, false);

    /// <summary>
    /// Parses "tokens-inclusive", "tokens-exclusive", "codepoints-inclusive", "codepoints-exclusive".
    /// </summary>
    public static OffsetConvention Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "tokens-inclusive" => TokensInclusive,
        "tokens-exclusive" => TokensExclusive,
        "codepoints-inclusive" or "chars-inclusive" => CodePointsInclusive,
        "codepoints-exclusive" or "chars-exclusive" => CodePointsExclusive,
        _ => throw new FormatException($"unknown offset convention '{value}' (expected tokens-inclusive, "
            + $"tokens-exclusive, codepoints-inclusive or codepoints-exclusive)"),
    };

    public override string ToString() =>
        (Unit == OffsetUnit.WhitespaceToken ? "tokens" : "codepoints") + (EndInclusive ? "-inclusive" : "-exclusive");
}
