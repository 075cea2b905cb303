using PaDeLLM.Ner.Aggregation;
using Xunit;

namespace PaDeLLM.Ner.Tests;

public class DedupTests
{
    private static readonly string[] Order = ["ORG", "MISC", "PER", "LOC"];

    private static LabelPredictions P(string label, params (string Text, double P)[] ms) =>
        new(label, ms.Select(m => new ScoredMention(m.Text, m.P)).ToArray());

    private static Dictionary<string, string[]> Texts(List<LabelPredictions> r) =>
        r.ToDictionary(p => p.Label, p => p.Mentions.Select(m => m.Text).ToArray());

    [Fact]
    public void Paper_keeps_a_cross_label_string_under_its_most_probable_label_only()
    {
        var input = new[] { P("LOC", ("Paris", 0.6), ("Rome", 0.9)), P("PER", ("Paris", 0.8)) };
        var r = Texts(MentionDeduplicator.Apply(input, Order, DedupPolicy.Paper));
        Assert.Equal(["Rome"], r["LOC"]);
        Assert.Equal(["Paris"], r["PER"]);
    }

    [Fact]
    public void Paper_breaks_ties_by_label_order_not_input_order()
    {
        // LOC comes first in the input, ORG first in the label order: ORG wins the tie.
        var input = new[] { P("LOC", ("Acme", 0.5)), P("ORG", ("Acme", 0.5)) };
        var r = Texts(MentionDeduplicator.Apply(input, Order, DedupPolicy.Paper));
        Assert.Empty(r["LOC"]);
        Assert.Equal(["Acme"], r["ORG"]);
        Assert.Equal(["LOC", "ORG"], r.Keys); // labels and their order are kept, emptied ones too
    }

    [Fact]
    public void Paper_keeps_copies_inside_the_winning_label_and_uses_the_single_best_occurrence()
    {
        // PER has the single best occurrence (0.95) although LOC's occurrences sum higher.
        var input = new[] { P("PER", ("Jordan", 0.95), ("Jordan", 0.1)), P("LOC", ("Jordan", 0.9), ("Jordan", 0.9)) };
        var r = Texts(MentionDeduplicator.Apply(input, Order, DedupPolicy.Paper));
        Assert.Equal(["Jordan", "Jordan"], r["PER"]);
        Assert.Empty(r["LOC"]);
    }

    [Fact]
    public void Repeats_within_one_label_are_not_duplicates()
    {
        var input = new[] { P("PER", ("Ann", 0.2), ("Ann", 0.3)) };
        Assert.Equal(["Ann", "Ann"], Texts(MentionDeduplicator.Apply(input, Order, DedupPolicy.Paper))["PER"]);
    }

    [Fact]
    public void Reverse_keeps_the_least_probable_label_and_none_keeps_all()
    {
        var input = new[] { P("LOC", ("Paris", 0.6)), P("PER", ("Paris", 0.8)) };
        var rev = Texts(MentionDeduplicator.Apply(input, Order, DedupPolicy.Reverse));
        Assert.Equal(["Paris"], rev["LOC"]);
        Assert.Empty(rev["PER"]);
        var none = Texts(MentionDeduplicator.Apply(input, Order, DedupPolicy.None));
        Assert.Equal(["Paris"], none["LOC"]);
        Assert.Equal(["Paris"], none["PER"]);
    }

    [Fact]
    public void Property_after_paper_dedup_no_string_is_under_two_labels_and_nothing_unique_is_lost()
    {
        var rng = new Random(7);
        string[] pool = ["a", "b", "c", "d", "e"];
        for (int trial = 0; trial < 500; trial++)
        {
            var input = Order.Select(l =>
                P(l, Enumerable.Range(0, rng.Next(4))
                .Select(_ => (pool[rng.Next(pool.Length)], Math.Round(rng.NextDouble(), 1))).ToArray())).ToArray();
            var output = MentionDeduplicator.Apply(input, Order, DedupPolicy.Paper);
            var owners = output.SelectMany(p => p.Mentions.Select(m => (m.Text, p.Label))).Distinct()
                .GroupBy(x => x.Text);
            Assert.All(owners, g => Assert.Single(g));
            var inputStrings = input.SelectMany(p => p.Mentions.Select(m => m.Text)).ToHashSet();
            var outputStrings = output.SelectMany(p => p.Mentions.Select(m => m.Text)).ToHashSet();
            Assert.Equal(inputStrings, outputStrings); // every string survives under exactly one label
        }
    }
}
