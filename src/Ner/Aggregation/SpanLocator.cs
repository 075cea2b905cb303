using PaDeLLM.Ner.Data;

namespace PaDeLLM.Ner.Aggregation;

/// <summary>
/// Finds where a predicted mention string occurs in its text (the paper loses positions; we recover them).
/// </summary>
public static class SpanLocator
{
    /// <summary>Every occurrence, overlapping ones included, ordinal comparison.</summary>
    public static List<CharSpan> FindAll(string text, string mention)
    {
        var spans = new List<CharSpan>();
        if (mention.Length == 0)
        {
            return spans;
        }

        int from = 0;
        while (from <= text.Length - mention.Length)
        {
            int i = text.IndexOf(mention, from, StringComparison.Ordinal);
            if (i < 0)
            {
                break;
            }

            spans.Add(new CharSpan(i, i + mention.Length));
            from = i + 1;
        }

        return spans;
    }
}
