using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Ner.Tests;

/// <summary>
/// Mention replacement keeps every copy's annotation exact: spans, labels and the text between mentions.
/// </summary>
public class MentionReplacementTests
{
    private static Sentence Annotated(string text, params (string Label, string Surface)[] mentions)
    {
        int from = 0;
        var list = new List<GoldMention>();
        foreach ((string label, string surface) in mentions)
        {
            int start = text.IndexOf(surface, from, StringComparison.Ordinal);
            list.Add(new GoldMention(label, surface, new CharSpan(start, start + surface.Length)));
            from = start + surface.Length;
        }

        return new Sentence(text, list);
    }

    [Fact]
    public void Every_mention_replaced_moves_the_spans_after_it()
    {
        Sentence pool = Annotated("Ann Lee saw Rome .", ("PER", "Ann Lee"), ("LOC", "Rome"));
        Sentence s = Annotated("John met Mary in Paris .", ("PER", "John"), ("PER", "Mary"), ("LOC", "Paris"));

        Sentence copy = new MentionReplacement([pool], 1.0).Apply(s, new Random(1));

        // Worked by hand: each name is the pool's only string of its label.
        Assert.Equal("Ann Lee met Ann Lee in Rome .", copy.Text);
        Assert.Equal(
            [("PER", "Ann Lee", 0, 7), ("PER", "Ann Lee", 12, 19), ("LOC", "Rome", 23, 27)],
            copy.InTextOrder().Select(m => (m.Label, m.Surface, m.Span.Start, m.Span.End)));
    }

    [Fact]
    public void Probability_zero_leaves_the_sentence_and_a_label_without_pool_keeps_its_mention()
    {
        Sentence s = Annotated("John met Mary in Paris .", ("PER", "John"), ("PER", "Mary"), ("LOC", "Paris"));
        Assert.Same(s, new MentionReplacement([s], 0).Apply(s, new Random(1)));

        Sentence pool = Annotated("Ann saw it .", ("PER", "Ann"));
        Sentence copy = new MentionReplacement([pool], 1).Apply(s, new Random(1));
        Assert.Equal("Ann met Ann in Paris .", copy.Text);
        Assert.Equal(new CharSpan(15, 20), copy.InTextOrder().Last().Span);
    }

    [Fact]
    public void Overlapping_mentions_stay_and_the_others_around_them_move()
    {
        Sentence pool = Annotated("XYZ protein , IL-2 .", ("protein", "XYZ protein"), ("protein", "IL-2"));
        // "IL-2 receptor" contains "IL-2": both stay; "p53" does not overlap and is replaced.
        Sentence s = new("p53 binds IL-2 receptor .",
        [
            new GoldMention("protein", "p53", new CharSpan(0, 3)),
            new GoldMention("protein", "IL-2 receptor", new CharSpan(10, 23)),
            new GoldMention("protein", "IL-2", new CharSpan(10, 14)),
        ]);
        var replacement = new MentionReplacement([pool], 1);
        for (int seed = 0; seed < 8; seed++)
        {
            Sentence copy = replacement.Apply(s, new Random(seed));
            Assert.EndsWith(" binds IL-2 receptor .", copy.Text);
            string first = copy.Text[..copy.Text.IndexOf(" binds", StringComparison.Ordinal)];
            Assert.Contains(first, replacement.SurfacesOf("protein"));
            Assert.All(copy.Mentions, m => Assert.Equal(m.Surface, m.Span.Slice(copy.Text)));
            Assert.Contains(copy.Mentions, m => m.Surface == "IL-2 receptor");
        }
    }

    public static TheoryData<string> Datasets() => new("conll03", "resume", "genia");

    [SharedDataTheory]
    [MemberData(nameof(Datasets))]
    public void Real_copies_keep_spans_labels_and_the_text_between_mentions(string name)
    {
        List<Sentence> train = [.. DatasetCatalog.Get(name).Read(SharedData.DataDir, DatasetSplit.Train).Take(2000)];
        var replacement = new MentionReplacement(train, 1.0);
        List<Sentence> copies = replacement.Copies(train, 1, seed: 7).ToList();
        Assert.Equal(train.Count, copies.Count);
        int alone = 0, changed = 0;
        for (int i = 0; i < train.Count; i++)
        {
            Sentence original = train[i], copy = copies[i];
            GoldMention[] before = [.. original.InTextOrder()], after = [.. copy.InTextOrder()];
            Assert.Equal(before.Select(m => m.Label), after.Select(m => m.Label));
            Assert.All(after, m => Assert.Equal(m.Surface, m.Span.Slice(copy.Text)));
            Assert.Equal(Gaps(original), Gaps(copy));
            for (int k = 0; k < before.Length; k++)
            {
                bool overlaps = before.Where((o, j) => j != k && o.Span.Start < before[k].Span.End
                    && before[k].Span.Start < o.Span.End).Any();
                if (overlaps)
                {
                    Assert.Equal(before[k].Surface, after[k].Surface);
                    continue;
                }

                alone++;
                Assert.Contains(after[k].Surface, replacement.SurfacesOf(after[k].Label));
                changed += after[k].Surface == before[k].Surface ? 0 : 1;
            }
        }

        // At probability 1 every mention that overlaps no other is redrawn; few draws give back the same string.
        Assert.True(alone > 1000, $"{alone} replaceable mentions");
        Assert.True(changed > alone * 0.9, $"{changed} of {alone} replaceable mentions changed");
        Assert.Equal(copies.Select(c => c.Text), replacement.Copies(train, 1, seed: 7).Select(c => c.Text));
        Assert.NotEqual(copies.Select(c => c.Text), replacement.Copies(train, 1, seed: 8).Select(c => c.Text));
    }

    /// <summary>The text with every mention's characters taken out: what replacement must not touch.</summary>
    private static string Gaps(Sentence s)
    {
        var keep = new bool[s.Text.Length];
        Array.Fill(keep, true);
        foreach (GoldMention m in s.Mentions)
        {
            Array.Fill(keep, false, m.Span.Start, m.Span.Length);
        }

        // Each run of mention characters becomes one marker, so the gaps stay apart.
        var gaps = new System.Text.StringBuilder();
        for (int i = 0; i < s.Text.Length; i++)
        {
            if (keep[i])
            {
                gaps.Append(s.Text[i]);
            }
            else if (i == 0 || keep[i - 1])
            {
                gaps.Append('\u0001');
            }
        }

        return gaps.ToString();
    }
}
