namespace PaDeLLM.Ner.Data;

/// <summary>How to read one family of column files.</summary>
public sealed record ColumnFormat(TagScheme Scheme)
{
    /// <summary>
    /// The token is the first of several space-separated columns (CoNLL: token POS chunk NER); otherwise everything
    /// before the tag is the token.
    /// </summary>
    public bool TokenIsFirstColumn { get; init; }

    /// <summary>Weibo's quirk: each token is a character followed by a one-digit position, which is dropped.</summary>
    public bool DropTrailingDigit { get; init; }

    /// <summary>English tokens are joined with a space to make the text; Chinese characters are concatenated.</summary>
    public bool JoinWithSpace { get; init; }

    /// <summary>A sentence made of this token alone is a document separator and is skipped.</summary>
    public string? DocumentMarker { get; init; }

    /// <summary>
    /// BIOES/BMES: drop a B- chunk that never reaches its E- (the paper's processed data did) rather than keep it as
    /// conlleval would.
    /// </summary>
    public bool DropUnclosedChunks { get; init; }

    /// <summary>Renames tag types (MSRA's NR/NS/NT to PER/LOC/ORG).</summary>
    public IReadOnlyDictionary<string, string>? TypeMap { get; init; }
}
