using PaDeLLM.Ner.Data;

namespace PaDeLLM.Ner.Training;

/// <summary>
/// Adjacent joining: every training sentence joined to the one after it, as one longer text whose counts are
/// the two sentences' counts added. Counting is where a from-scratch model fails: on Resume dev, with the shipped
/// model, a label with five or more mentions in a sentence is almost never counted right, and with the gold
/// counts given its fifth and later mentions repeat earlier ones; a training set has few such sentences. Corpora
/// split documents into sentences in order (a résumé's sentences follow one another), so a joined pair is a text
/// that could have been written, with more mentions to number.
/// </summary>
public static class AdjacentJoining
{
    /// <summary>
    /// Sentence i joined to sentence i + 1, for every i but the last, with <paramref name="separator"/> between
    /// them (none for Chinese, a space for space-separated text); the second sentence's spans move by the first's
    /// length and the separator's.
    /// </summary>
    public static IEnumerable<Sentence> Pairs(IReadOnlyList<Sentence> sentences, string separator)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(separator);
        for (int i = 0; i + 1 < sentences.Count; i++)
        {
            yield return Join(sentences[i], sentences[i + 1], separator);
        }
    }

    /// <summary>One text, <paramref name="first"/> then <paramref name="second"/>, with both's mentions.</summary>
    public static Sentence Join(Sentence first, Sentence second, string separator)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        int shift = first.Text.Length + separator.Length;
        GoldMention[] mentions =
        [
            .. first.Mentions,
            .. second.Mentions.Select(m => m with { Span = new CharSpan(m.Span.Start + shift, m.Span.End + shift) }),
        ];
        return first with { Text = first.Text + separator + second.Text, Mentions = mentions };
    }
}
