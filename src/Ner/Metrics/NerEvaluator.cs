using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Data;

namespace PaDeLLM.Ner.Metrics;

/// <summary>Scores extraction results against gold sentences with both metrics side by side.</summary>
public sealed class NerEvaluator
{
    public PaperMicroF1 Paper { get; } = new();

    public SpanMicroF1 Span { get; } = new();

    public int Sentences { get; private set; }

    public void Add(Sentence gold, ExtractionResult predicted)
    {
        if (!string.Equals(gold.Text, predicted.Text, StringComparison.Ordinal))
        {
            throw new ArgumentException($"result text does not match gold sentence (line {gold.Line} of {gold.Source})",
                nameof(predicted));
        }

        Sentences++;
        Paper.Add(predicted.StringsByLabel(), GoldStrings(gold));
        Span.Add(
            predicted.Entities.SelectMany(e => e.Spans.Select(s => (e.Label, s))),
            gold.Mentions.Select(m => (m.Label, m.Span)));
    }

    public static Dictionary<string, List<string>> GoldStrings(Sentence gold)
    {
        var d = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (GoldMention m in gold.Mentions)
        {
            if (!d.TryGetValue(m.Label, out List<string>? list))
            {
                d[m.Label] = list = [];
            }

            list.Add(m.Surface);
        }

        return d;
    }
}
