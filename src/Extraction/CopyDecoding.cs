using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Tokenizers;
using PaDeLLM.Tokenizers.Bpe;

namespace PaDeLLM.Extraction;

/// <summary>
/// Copy-constrained mention decoding, set up once per tokenizer: each token of a mention must
/// continue a run of the text, or end the mention, so a model cannot write a name that is not in
/// the text. With a copy-aligned tokenizer (<see cref="CopyAlignment"/>) a mention is the same ids
/// alone as in its text and the check is exact, on token ids; with any other tokenizer it is on
/// characters: the mention decoded so far must occur in the text. Only the choice is constrained:
/// the probability kept for de-duplication is still the full-vocabulary softmax's.
/// </summary>
public sealed class CopyDecoding
{
    private readonly ITokenizer _tokenizer;
    private readonly IReadOnlySet<int> _stops;
    private readonly bool[] _insideCharacter;

    private CopyDecoding(ITokenizer tokenizer, IReadOnlySet<int> stops, bool tokenExact, CopyEnding ending)
    {
        (_tokenizer, _stops, TokenExact, Ending) = (tokenizer, stops, tokenExact, ending);
        _insideCharacter = new bool[tokenizer.VocabSize];
        for (int id = 0; id < _insideCharacter.Length; id++)
        {
            // Byte fallback <0x80>…<0xBF>: a UTF-8 continuation byte, never a character's first.
            _insideCharacter[id] = tokenizer.IdToToken(id) is string p
                && ByteFallback.ByteOf(p) is >= 0x80 and <= 0xBF;
        }
    }

    /// <summary>Whether mentions are matched on token ids (a copy-aligned tokenizer) or on characters.</summary>
    public bool TokenExact { get; }

    /// <summary>How a mention decides between ending and going on with the text.</summary>
    public CopyEnding Ending { get; }

    public static CopyDecoding For(ITokenizer tokenizer, StopTokens stops, CopyEnding ending = CopyEnding.StopMass)
    {
        ArgumentNullException.ThrowIfNull(stops);
        return new CopyDecoding(tokenizer, stops.Mention, CopyAlignment.Holds(tokenizer), ending);
    }

    /// <summary>The constraint for the mentions of one text (share it between the text's mention sequences).</summary>
    public ITokenConstraint For(string text) => For(text, bars: null);

    /// <summary>
    /// The constraint for a mention decoded again (<see cref="RepeatBars"/>): it may not start where a string it must
    /// avoid stands in the text, so it cannot repeat them, nor outside its window.
    /// </summary>
    public ITokenConstraint For(string text, RepeatBars? bars)
    {
        HashSet<int>? barred = bars is null ? null : BarredCharacters(text, bars);
        if (!TokenExact)
        {
            return new CharacterRunConstraint(text, _tokenizer, _stops, Ending, barred);
        }

        int[] source = _tokenizer.Encode(text);
        HashSet<int>? starts = barred is null
            ? null
            : Enumerable.Range(0, source.Length).Where(at => barred.Contains(CharStart(source, at))).ToHashSet();
        return new TokenRunConstraint(source, _stops, _insideCharacter, Ending, starts);
    }

    // Where token `at`'s visible text starts in the text: the decoded prefix through it, less its own text.
    private int CharStart(int[] source, int at) =>
        _tokenizer.Decode(source[..(at + 1)]).Length - _tokenizer.Decode([source[at]]).TrimStart().Length;

    // Character positions a mention may not start at: where a string to avoid stands, and outside [from, before).
    private static HashSet<int> BarredCharacters(string text, RepeatBars bars)
    {
        var barred = Enumerable.Range(0, text.Length + 1)
            .Where(c => c < (bars.From ?? 0) || c >= (bars.Before ?? int.MaxValue)).ToHashSet();
        barred.UnionWith(bars.Avoid.SelectMany(m => SpanLocator.FindAll(text, m)).Select(s => s.Start));
        return barred;
    }
}
