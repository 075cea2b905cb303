using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Ner.Tests;

/// <summary>
/// Unseen characters go into a copy's mentions and the text around them, one each, and every annotation stays exact.
/// </summary>
public class UnseenCharactersTests
{
    private static readonly char[] Pool = ['喆', '煊', '茜'];

    [Fact]
    public void At_probability_one_each_mention_and_the_text_outside_get_one_pool_character()
    {
        var s = new Sentence("张三，现任上海百润公司监事。",
        [
            new GoldMention("NAME", "张三", new CharSpan(0, 2)),
            new GoldMention("ORG", "上海百润公司", new CharSpan(5, 11)),
            new GoldMention("TITLE", "监事", new CharSpan(11, 13)),
        ]);
        for (int seed = 0; seed < 20; seed++)
        {
            Sentence copy = new UnseenCharacters(Pool, 1).Apply(s, new Random(seed));
            Assert.Equal(s.Text.Length, copy.Text.Length);
            Assert.All(copy.Mentions, m => Assert.Equal(m.Surface, m.Span.Slice(copy.Text)));
            Assert.Equal(s.Mentions.Select(m => (m.Label, m.Span)), copy.Mentions.Select(m => (m.Label, m.Span)));
            foreach ((GoldMention before, GoldMention after) in s.Mentions.Zip(copy.Mentions))
            {
                Assert.Equal(1, Differences(before.Surface, after.Surface, out char put));
                Assert.Contains(put, Pool);
            }

            // Outside the mentions: "，现任" and "。" hold three letters, one of which is swapped ("，" and "。" are not).
            Assert.Equal(1, Differences(s.Text[2..5] + s.Text[13..], copy.Text[2..5] + copy.Text[13..], out char c));
            Assert.Contains(c, Pool);
            Assert.Equal("，", copy.Text[2..3]);
        }
    }

    [Fact]
    public void Nested_mentions_both_read_the_swapped_character()
    {
        // "IL-2" inside "IL-2 receptor": a swap in either is seen by both surfaces.
        var s = new Sentence("p53 binds IL-2 receptor .",
        [
            new GoldMention("protein", "IL-2 receptor", new CharSpan(10, 23)),
            new GoldMention("protein", "IL-2", new CharSpan(10, 14)),
        ]);
        for (int seed = 0; seed < 20; seed++)
        {
            Sentence copy = new UnseenCharacters(['é'], 1).Apply(s, new Random(seed));
            Assert.All(copy.Mentions, m => Assert.Equal(m.Surface, m.Span.Slice(copy.Text)));
            Assert.StartsWith(copy.Mentions[1].Surface, copy.Mentions[0].Surface, StringComparison.Ordinal);
            Assert.InRange(Differences(s.Text[10..23], copy.Text[10..23], out _), 1, 2);
            Assert.Equal(" .", copy.Text[23..]); // no letter there
        }
    }

    [Fact]
    public void Probability_zero_or_an_empty_pool_leaves_the_sentence_and_a_seed_repeats_its_copies()
    {
        var s = new Sentence("张三任监事。", [new GoldMention("NAME", "张三", new CharSpan(0, 2))]);
        Assert.Same(s, new UnseenCharacters(Pool, 0).Apply(s, new Random(1)));
        Assert.Same(s, new UnseenCharacters([], 1).Apply(s, new Random(1)));

        Sentence[] many = [.. Enumerable.Repeat(s, 50)];
        var unseen = new UnseenCharacters(Pool, 0.5);
        string[] first = [.. unseen.Apply(many, seed: 3).Select(c => c.Text)];
        Assert.Equal(first, unseen.Apply(many, seed: 3).Select(c => c.Text));
        Assert.NotEqual(first, unseen.Apply(many, seed: 4).Select(c => c.Text));
        Assert.Contains(first, t => t == s.Text); // at 0.5 some copies keep both halves
    }

    [Fact]
    public void Half_a_surrogate_pair_is_no_character_to_write_in()
    {
        var e = Assert.Throws<ArgumentException>(() => new UnseenCharacters(['喆', '\uD83D'], 1));
        Assert.Contains("U+D83D is half of a surrogate pair", e.Message);
    }

    [SharedDataFact]
    public void Real_copies_keep_every_span_label_and_length()
    {
        List<Sentence> train = [.. DatasetCatalog.Get("resume").Read(SharedData.DataDir, DatasetSplit.Train).Take(500)];
        List<Sentence> copies = [.. new UnseenCharacters(Pool, 0.3).Apply(train, seed: 5)];
        int swapped = 0;
        for (int i = 0; i < train.Count; i++)
        {
            Assert.Equal(train[i].Text.Length, copies[i].Text.Length);
            Assert.All(copies[i].Mentions, m => Assert.Equal(m.Surface, m.Span.Slice(copies[i].Text)));
            int d = Differences(train[i].Text, copies[i].Text, out _);
            Assert.InRange(d, 0, train[i].Mentions.Count + 1);
            swapped += d;
        }

        Assert.True(swapped > 100, $"{swapped} characters swapped in 500 sentences at 0.3");
    }

    private static int Differences(string a, string b, out char last)
    {
        Assert.Equal(a.Length, b.Length);
        int n = 0;
        last = '\0';
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                n++;
                last = b[i];
            }
        }

        return n;
    }
}
