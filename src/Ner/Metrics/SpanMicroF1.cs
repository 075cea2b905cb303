using PaDeLLM.Ner.Data;

namespace PaDeLLM.Ner.Metrics;

/// <summary>
/// The strict metric: a prediction counts only with the right label and the exact character
/// span. A predicted string found several times in the text predicts every occurrence.
/// </summary>
public sealed class SpanMicroF1
{
    public LabelScores Scores { get; } = new();

    public PrfCounts Micro => Scores.Micro;

    public void Add(IEnumerable<(string Label, CharSpan Span)> predicted,
        IEnumerable<(string Label, CharSpan Span)> gold)
    {
        var p = predicted.ToHashSet();
        var g = gold.ToHashSet();
        foreach (string label in p.Select(x => x.Label).Union(g.Select(x => x.Label)))
        {
            var pl = p.Where(x => x.Label == label).ToHashSet();
            var gl = g.Where(x => x.Label == label).ToHashSet();
            Scores.Add(label, PrfCounts.OfSets(pl, gl));
        }
    }
}
