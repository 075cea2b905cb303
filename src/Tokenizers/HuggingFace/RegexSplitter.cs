using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PaDeLLM.Tokenizers.HuggingFace;

/// <summary>
/// Splits text with a pre-tokenizer regex as Rust's regex engines do, over code points: .NET
/// matches UTF-16 units, so each astral character is first replaced by one BMP stand-in of the
/// same class for the patterns' purposes (letter, number, or other), and pieces are mapped back by position.
/// </summary>
internal static class RegexSplitter
{
    private const char AstralLetter = '\uA000';  // Lo
    private const char AstralNumber = '\u0660';  // Nd
    private const char AstralOther = '\uE000';   // Co

    /// <summary>Every match, and (unless <paramref name="removeGaps"/>) every gap between matches, in order.</summary>
    public static List<string> SplitIsolated(string text, Regex regex)
    {
        (string search, int[]? map) = Substitute(text);
        var pieces = new List<string>();
        int last = 0;
        foreach (Match m in regex.Matches(search))
        {
            if (m.Length == 0)
            {
                continue;
            }

            if (m.Index > last)
            {
                pieces.Add(Original(text, map, last, m.Index));
            }

            pieces.Add(Original(text, map, m.Index, m.Index + m.Length));
            last = m.Index + m.Length;
        }

        if (last < search.Length)
        {
            pieces.Add(Original(text, map, last, search.Length));
        }

        return pieces;
    }

    private static string Original(string text, int[]? map, int start, int end) =>
        map is null ? text[start..end] : text[map[start]..map[end]];

    private static (string Search, int[]? Map) Substitute(string text)
    {
        bool astral = false;
        foreach (char c in text)
        {
            if (char.IsSurrogate(c))
            {
                astral = true;
                break;
            }
        }

        if (!astral)
        {
            return (text, null);
        }

        // map[i] = where stand-in character i starts in the original text.
        var sb = new StringBuilder(text.Length);
        var map = new List<int>(text.Length + 1);
        int position = 0;
        foreach (Rune r in text.EnumerateRunes())
        {
            map.Add(position);
            position += r.Utf16SequenceLength;
            sb.Append(r.IsBmp ? (char)r.Value : Rune.GetUnicodeCategory(r) switch
            {
                UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => AstralLetter,
                UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber =>
                    AstralNumber,
                _ => AstralOther,
            });
        }

        map.Add(text.Length);
        return (sb.ToString(), [.. map]);
    }
}
