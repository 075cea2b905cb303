namespace PaDeLLM.Tokenizers.Training;

/// <summary>Settings of <see cref="BpeTrainer"/>.</summary>
public sealed record BpeTrainerOptions
{
    public int VocabSize { get; init; } = 8000;

    /// <summary>
    /// Characters are kept in the vocabulary, most frequent first, until they cover this share of the text; the rest
    /// use byte fallback.
    /// </summary>
    public double CharacterCoverage { get; init; } = 0.9995;

    /// <summary>Longest piece, in characters.</summary>
    public int MaxPieceLength { get; init; } = 16;

    /// <summary>
    /// Spaces (▁), punctuation and CJK characters are pieces of their own, never merged with
    /// their neighbours. A mention then has the same pieces alone (as a target) as inside its
    /// sentence, so copying it is copying token ids: without this, " Cuttitta" in a sentence is
    /// ▁C·ut·… while the mention "Cuttitta" is C·ut·…, a first piece the model must learn to map,
    /// and Chinese merges can cross a mention's edges. Costs about one token per space.
    /// </summary>
    public bool CopyAligned { get; init; }

    /// <summary>Whole pieces matched in text before BPE and never split: PaDeLLM's markers and the newline.</summary>
    public IReadOnlyList<string> UserDefined { get; init; } = PadellmMarkers(32);

    /// <summary>
    /// <c>\n</c>, <c>&lt;num&gt;</c>, <c>&lt;数量&gt;</c>, and <c>&lt;mention k&gt;</c>, <c>&lt;第k文段&gt;</c> for k = 1 …
    /// <paramref name="maxMentions"/>.
    /// </summary>
    public static IReadOnlyList<string> PadellmMarkers(int maxMentions) =>
    [
        "\n", "<num>", "<数量>",
        .. Enumerable.Range(1, maxMentions).Select(k => $"<mention {k}>"),
        .. Enumerable.Range(1, maxMentions).Select(k => $"<第{k}文段>"),
    ];
}
