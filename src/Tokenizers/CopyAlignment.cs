namespace PaDeLLM.Tokenizers;

/// <summary>
/// The copy-aligned rule: the ▁ space, punctuation, symbols and CJK characters are pieces of their
/// own, so no merge crosses a word's edge and a mention tokenizes to the same ids alone as inside
/// its sentence. <c>tokenizer.copy_aligned</c> trains such a vocabulary; <see cref="Holds"/> tells
/// one from any other tokenizer by its pieces.
/// </summary>
public static class CopyAlignment
{
    private const char SentencePieceSpace = '\u2581';
    private const char ByteLevelSpace = '\u0120'; // Ġ, the space in byte-level BPE vocabularies

    /// <summary>A character that must be a piece alone under the rule.</summary>
    public static bool StandsAlone(char c) =>
        c is SentencePieceSpace or ByteLevelSpace || char.IsWhiteSpace(c) || char.IsPunctuation(c)
        || char.IsSymbol(c) || IsCjk(c);

    /// <summary>Han ideographs (and extension A, compatibility), CJK punctuation and full-width forms.</summary>
    public static bool IsCjk(char c) =>
        c is (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF') or (>= '\uF900' and <= '\uFAFF')
            or (>= '\u3000' and <= '\u303F') or (>= '\uFF00' and <= '\uFFEF');

    /// <summary>
    /// Whether every ordinary piece of the vocabulary keeps to the rule. Markers and special or
    /// byte-fallback pieces (<c>&lt;…&gt;</c>) are matched whole before BPE and do not count.
    /// </summary>
    public static bool Holds(ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        for (int id = 0; id < tokenizer.VocabSize; id++)
        {
            if (tokenizer.IdToToken(id) is not string piece || piece.Length < 2 || IsMarker(piece))
            {
                continue;
            }

            foreach (char c in piece)
            {
                if (StandsAlone(c))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool IsMarker(string piece) => piece[0] == '<' && piece[^1] == '>';
}
