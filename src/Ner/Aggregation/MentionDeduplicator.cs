namespace PaDeLLM.Ner.Aggregation;

/// <summary>Applies a <see cref="DedupPolicy"/> to one sentence's predictions.</summary>
public static class MentionDeduplicator
{
    /// <param name="predictions">Per-label predictions; the output keeps their labels and order, emptied labels
    /// included.</param>
    /// <param name="labelOrder">Tie-break order; labels not in it come after, in input order.</param>
    public static List<LabelPredictions> Apply(IReadOnlyList<LabelPredictions> predictions,
        IReadOnlyList<string> labelOrder, DedupPolicy policy)
    {
        if (policy == DedupPolicy.None)
        {
            return predictions.ToList();
        }

        int Rank(string label)
        {
            int i = -1;
            for (int j = 0; j < labelOrder.Count; j++)
            {
                if (labelOrder[j] == label)
                {
                    i = j;
                    break;
                }
            }

            return i >= 0 ? i : labelOrder.Count + IndexIn(predictions, label);
        }

        // For each string: the labels it appears under, and the winning label.
        var labelsOf = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var winner = new Dictionary<string, (string Label, double Probability)>(StringComparer.Ordinal);
        foreach (LabelPredictions lp in predictions.OrderBy(p => Rank(p.Label)))
        {
            foreach (ScoredMention m in lp.Mentions)
            {
                if (!labelsOf.TryGetValue(m.Text, out HashSet<string>? set))
                {
                    labelsOf[m.Text] = set = new HashSet<string>(StringComparer.Ordinal);
                }

                set.Add(lp.Label);

                // Strict comparison: on a tie the label met first (earlier in label order) keeps it.
                if (!winner.TryGetValue(m.Text, out var best)
                    || (policy == DedupPolicy.Paper ? m.Probability > best.Probability
                        : m.Probability < best.Probability))
                {
                    winner[m.Text] = (lp.Label, m.Probability);
                }
            }
        }

        return predictions
            .Select(lp => lp with
            {
                Mentions = lp.Mentions.Where(m =>
                    labelsOf[m.Text].Count < 2 || winner[m.Text].Label == lp.Label).ToArray(),
            })
            .ToList();
    }

    private static int IndexIn(IReadOnlyList<LabelPredictions> predictions, string label)
    {
        for (int i = 0; i < predictions.Count; i++)
        {
            if (predictions[i].Label == label)
            {
                return i;
            }
        }

        return predictions.Count;
    }
}
