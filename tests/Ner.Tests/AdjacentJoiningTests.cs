using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Ner.Tests;

/// <summary>
/// Adjacent joining keeps every joined text's annotation exact: each mention's span still reads its surface,
/// each label's count is the two sentences' counts added, in text order.
/// </summary>
public class AdjacentJoiningTests
{
    [Fact]
    public void The_second_sentences_spans_move_past_the_first_and_the_separator()
    {
        Sentence a = new("EU rejects it .", [new GoldMention("ORG", "EU", new CharSpan(0, 2))]);
        Sentence b = new("Peter Blackburn", [new GoldMention("PER", "Peter Blackburn", new CharSpan(0, 15))]);

        Sentence joined = AdjacentJoining.Join(a, b, " ");

        // Worked by hand: "EU rejects it ." is 15 characters, then the space.
        Assert.Equal("EU rejects it . Peter Blackburn", joined.Text);
        Assert.Equal(
            [("ORG", 0, 2), ("PER", 16, 31)], joined.Mentions.Select(m => (m.Label, m.Span.Start, m.Span.End)));
        Assert.Equal([], AdjacentJoining.Pairs([a], " "));
    }

    [SharedDataTheory]
    [InlineData("resume", "")]
    [InlineData("conll03", " ")]
    public void Joined_real_sentences_keep_their_spans_and_add_their_counts(string dataset, string separator)
    {
        DatasetInfo info = DatasetCatalog.Get(dataset);
        List<Sentence> train = info.Read(SharedData.DataDir, DatasetSplit.Train).Take(300).ToList();

        List<Sentence> pairs = AdjacentJoining.Pairs(train, separator).ToList();

        Assert.Equal(train.Count - 1, pairs.Count);
        for (int i = 0; i < pairs.Count; i++)
        {
            Sentence p = pairs[i];
            Assert.Equal(train[i].Text + separator + train[i + 1].Text, p.Text);
            Assert.All(p.Mentions, m => Assert.Equal(m.Surface, p.Text[m.Span.Start..m.Span.End]));
            foreach (string label in info.Schema.Keys)
            {
                Assert.Equal(
                    train[i].MentionsOf(label).Concat(train[i + 1].MentionsOf(label)).Select(m => m.Surface),
                    p.MentionsOf(label).Select(m => m.Surface));
            }
        }
    }
}
