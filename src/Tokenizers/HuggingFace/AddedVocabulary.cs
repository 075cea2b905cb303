using System.Text.Json;

namespace PaDeLLM.Tokenizers.HuggingFace;

/// <summary>One entry of tokenizer.json's added_tokens.</summary>
public sealed record AddedToken(int Id, string Content, bool Special, bool SingleWord, bool LStrip, bool RStrip);

/// <summary>
/// Finds added tokens in raw text, leftmost-longest, honouring lstrip/rstrip (the token
/// absorbs neighbouring whitespace) and single_word (it must not touch word characters).
/// </summary>
internal sealed class AddedVocabulary
{
    private readonly Dictionary<char, List<AddedToken>> _byFirst = [];

    public AddedVocabulary(JsonElement? added, string where)
    {
        if (added is not { ValueKind: JsonValueKind.Array } array)
        {
            return;
        }

        int i = 0;
        foreach (JsonElement t in array.EnumerateArray())
        {
            string w = $"{where}[{i++}]";
            var token = new AddedToken(
                JsonParts.Int(t, "id", -1) is int id && id >= 0 ? id : throw new TokenizerException($"{w}: missing id"),
                JsonParts.String(t, "content", w),
                JsonParts.Bool(t, "special", false),
                JsonParts.Bool(t, "single_word", false),
                JsonParts.Bool(t, "lstrip", false),
                JsonParts.Bool(t, "rstrip", false));
            Tokens.Add(token);
            if (token.Content.Length > 0)
            {
                if (!_byFirst.TryGetValue(token.Content[0], out var list))
                {
                    _byFirst[token.Content[0]] = list = [];
                }

                list.Add(token);
            }
        }

        foreach (var list in _byFirst.Values)
        {
            list.Sort((a, b) => b.Content.Length.CompareTo(a.Content.Length));
        }
    }

    public List<AddedToken> Tokens { get; } = [];

    /// <summary>The text as alternating plain segments (token null) and added tokens.</summary>
    public List<(string Text, AddedToken? Token)> Split(string text)
    {
        var segments = new List<(string, AddedToken?)>();
        int plainStart = 0;
        int i = 0;
        while (i < text.Length)
        {
            AddedToken? match = _byFirst.TryGetValue(text[i], out var candidates)
                ? candidates.FirstOrDefault(t =>
                    string.CompareOrdinal(text, i, t.Content, 0, t.Content.Length) == 0 && WordBoundaryOk(text, i, t))
                : null;
            if (match is null)
            {
                i++;
                continue;
            }

            int start = i, end = i + match.Content.Length;
            if (match.LStrip)
            {
                while (start > plainStart && char.IsWhiteSpace(text[start - 1]))
                {
                    start--;
                }
            }

            if (match.RStrip)
            {
                while (end < text.Length && char.IsWhiteSpace(text[end]))
                {
                    end++;
                }
            }

            if (start > plainStart)
            {
                segments.Add((text[plainStart..start], null));
            }

            segments.Add((match.Content, match));
            i = plainStart = end;
        }

        if (plainStart < text.Length)
        {
            segments.Add((text[plainStart..], null));
        }

        return segments;
    }

    private static bool WordBoundaryOk(string text, int i, AddedToken t)
    {
        if (!t.SingleWord)
        {
            return true;
        }

        int end = i + t.Content.Length;
        bool before = i == 0 || !char.IsLetterOrDigit(text[i - 1]);
        bool after = end >= text.Length || !char.IsLetterOrDigit(text[end]);
        return before && after;
    }
}
