namespace PaDeLLM.Ner.Metrics;

/// <summary>
/// The paper's metric: for each sentence and each label in pred ∪ gold, with P and G the
/// sets of predicted and gold strings (exact, case-sensitive), TP += |P∩G|, FP += |P−G|,
/// FN += |G−P|; micro-F1 from the sums. Positions are ignored; repeats count once.
/// </summary>
public sealed class PaperMicroF1
{
    public LabelScores Scores { get; } = new();

    public PrfCounts Micro => Scores.Micro;

    public void Add(IReadOnlyDictionary<string, List<string>> predicted, IReadOnlyDictionary<string, List<string>> gold)
    {
        foreach (string label in predicted.Keys.Union(gold.Keys))
        {
            var p = new HashSet<string>(predicted.TryGetValue(label, out List<string>? pl) ? pl : [],
                StringComparer.Ordinal);
            var g = new HashSet<string>(gold.TryGetValue(label, out List<string>? gl) ? gl : [],
                StringComparer.Ordinal);
            Scores.Add(label, PrfCounts.OfSets(p, g));
        }
    }
}
