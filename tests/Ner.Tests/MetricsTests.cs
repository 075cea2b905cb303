using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Metrics;
using Xunit;

namespace PaDeLLM.Ner.Tests;

public class MetricsTests
{
    private static Dictionary<string, List<string>> D(params (string Label, string[] Items)[] x) =>
        x.ToDictionary(t => t.Label, t => t.Items.ToList());

    [Fact]
    public void Paper_metric_counts_sets_per_label_and_ignores_repeats()
    {
        var m = new PaperMicroF1();
        // pred PER {A, B} (A repeated), LOC {C}; gold PER {A, D}, ORG {E}
        m.Add(D(("PER", ["A", "A", "B"]), ("LOC", ["C"])), D(("PER", ["A", "D", "D"]), ("ORG", ["E"])));
        Assert.Equal(new PrfCounts(1, 2, 2), m.Micro);
        Assert.Equal(new PrfCounts(1, 1, 1), m.Scores.PerLabel["PER"]);
        Assert.Equal(new PrfCounts(0, 1, 0), m.Scores.PerLabel["LOC"]);
        Assert.Equal(new PrfCounts(0, 0, 1), m.Scores.PerLabel["ORG"]);
        Assert.Equal(2.0 / 6.0, m.Micro.F1, 12); // 2·1 / (2·1 + 2 + 2)
    }

    [Fact]
    public void The_gold_count_breakdown_groups_pairs_by_their_distinct_gold_strings()
    {
        var b = new GoldCountBreakdown();
        // PER: gold {A, D} (2), pred {A, B} (2: counted right, 1 found); ORG: gold {E} (1), none predicted;
        // LOC: gold none (0), pred {C}; MISC: six gold strings, five predicted, all right.
        b.Add(
            D(("PER", ["A", "A", "B"]), ("LOC", ["C"]), ("MISC", ["1", "2", "3", "4", "5"])),
            D(("PER", ["A", "D", "D"]), ("ORG", ["E"]), ("MISC", ["1", "2", "3", "4", "5", "6"])));
        Assert.Equal([1L, 1, 1, 0, 0, 1], b.Groups.Select(g => g.Pairs));
        Assert.Equal([0L, 0, 1, 0, 0, 0], b.Groups.Select(g => g.CountedRight));
        Assert.Equal(new PrfCounts(0, 1, 0), b.Groups[0].Strings);
        Assert.Equal(new PrfCounts(0, 0, 1), b.Groups[1].Strings);
        Assert.Equal(new PrfCounts(1, 1, 1), b.Groups[2].Strings);
        Assert.Equal(new PrfCounts(5, 0, 1), b.Groups[GoldCountBreakdown.Top].Strings);
    }

    [Fact]
    public void Case_matters_and_labels_are_scored_apart()
    {
        var m = new PaperMicroF1();
        m.Add(D(("PER", ["paris"]), ("LOC", ["Rome"])), D(("LOC", ["Paris", "Rome"])));
        Assert.Equal(new PrfCounts(1, 1, 1), m.Micro);
    }

    [Fact]
    public void Span_metric_needs_label_and_exact_span()
    {
        var m = new SpanMicroF1();
        m.Add([("PER", new CharSpan(0, 6)), ("PER", new CharSpan(11, 17)), ("LOC", new CharSpan(0, 6))],
            [("PER", new CharSpan(0, 6)), ("LOC", new CharSpan(21, 26))]);
        Assert.Equal(new PrfCounts(1, 2, 1), m.Micro);
    }

    [Fact]
    public void Property_when_every_string_occurs_once_both_metrics_agree()
    {
        // Words are distinct, so a mention string has exactly one span: the two metrics must coincide.
        var rng = new Random(11);
        string[] labels = ["A", "B", "C"];
        var eval = new NerEvaluator();
        for (int s = 0; s < 300; s++)
        {
            string[] words = Enumerable.Range(0, 8).Select(i => $"w{s}x{i}").ToArray();
            string text = string.Join(' ', words);
            int[] starts = words.Select((w, i) => words.Take(i).Sum(x => x.Length + 1)).ToArray();
            GoldMention Mention(int i, string label) =>
                new(label, words[i], new CharSpan(starts[i], starts[i] + words[i].Length));
            var gold = Enumerable.Range(0, 8).Where(_ => rng.Next(3) == 0)
                .Select(i => Mention(i, labels[rng.Next(3)])).ToList();
            var predicted = gold.Where(_ => rng.Next(4) != 0)
                .Select(g => rng.Next(5) == 0 ? g with { Label = labels[rng.Next(3)] } : g)
                .Concat(Enumerable.Range(0, 8).Where(_ => rng.Next(6) == 0)
                    .Select(i => Mention(i, labels[rng.Next(3)])))
                .DistinctBy(g => (g.Label, g.Span))
                .Select(g => new ExtractedEntity(g.Label, g.Surface, 1, 1, [g.Span]))
                .ToList();
            eval.Add(new Sentence(text, gold), new ExtractionResult(text, predicted));
        }

        Assert.True(eval.Paper.Micro.Tp > 100);
        Assert.Equal(eval.Paper.Micro, eval.Span.Micro);
    }
}
