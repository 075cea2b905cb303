using System.Globalization;
using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Ner.Prompts;

/// <summary>
/// The literal pieces of the paper's prompts for one language:
/// <c>{TextHeader}{TEXT}{LabelHeader}{LABEL}{CountMarker}</c>, then <c>{n}\n{MentionMarker(k)}</c>.
/// </summary>
public sealed record PromptTemplate(string TextHeader, string LabelHeader, string CountMarker,
    string MentionMarkerFormat)
{
    public static readonly PromptTemplate English = new("text:\n", "\nentity type:\n", "\n\n<num>", "<mention {0}>");

    public static readonly PromptTemplate Chinese = new("文本:\n", "\n指定NER标签:\n", "\n\n<数量>", "<第{0}文段>");

    public static PromptTemplate For(PromptLanguage language) => language == PromptLanguage.Chinese ? Chinese : English;

    /// <summary>The marker that asks for the k-th mention (k from 1).</summary>
    public string MentionMarker(int k) => string.Format(CultureInfo.InvariantCulture, MentionMarkerFormat, k);

    /// <summary>
    /// Reads k back from a marker at the start of <paramref name="s"/>; returns the marker length, or 0.
    /// </summary>
    public int MatchMentionMarker(ReadOnlySpan<char> s, out int k)
    {
        k = 0;
        int brace = MentionMarkerFormat.IndexOf("{0}", StringComparison.Ordinal);
        ReadOnlySpan<char> head = MentionMarkerFormat.AsSpan(0, brace);
        ReadOnlySpan<char> tail = MentionMarkerFormat.AsSpan(brace + 3);
        if (!s.StartsWith(head, StringComparison.Ordinal))
        {
            return 0;
        }

        int i = head.Length;
        int digits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]) && digits < 6)
        {
            k = (k * 10) + (s[i] - '0');
            i++;
            digits++;
        }

        if (digits == 0 || !s[i..].StartsWith(tail, StringComparison.Ordinal) || (digits > 1 && s[head.Length] == '0'))
        {
            k = 0;
            return 0;
        }

        return i + tail.Length;
    }
}
