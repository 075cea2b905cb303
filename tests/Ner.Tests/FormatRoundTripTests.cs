using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Parsing;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Ner.Tests;

/// <summary>Reformulate every training sentence, parse the targets back: exactly the gold mentions.</summary>
public class FormatRoundTripTests
{
    public static TheoryData<string, string> DatasetsAndFormats()
    {
        var data = new TheoryData<string, string>();
        foreach (DatasetInfo d in DatasetCatalog.All)
        {
            foreach (string f in TrainingFormats.Names)
            {
                data.Add(d.Name, f);
            }
        }

        return data;
    }

    [SharedDataTheory]
    [MemberData(nameof(DatasetsAndFormats))]
    public void Every_training_sentence_round_trips(string dataset, string format)
    {
        DatasetInfo info = DatasetCatalog.Get(dataset);
        ITrainingFormat f = TrainingFormats.Create(format, info.Schema);
        List<Sentence> sentences = info.Read(SharedData.DataDir, DatasetSplit.Train);
        long examples = 0;
        for (int i = 0; i < sentences.Count; i++)
        {
            Sentence s = sentences[i];
            var ex = f.Reformulate(s, i).ToList();
            examples += ex.Count;
            Parsed<List<LabeledMention>> back = f.ParseTargets(ex);
            Assert.True(back.Ok, $"{dataset} sentence {i + 1}: {back.Failure}");
            var gold = s.Mentions.Select(m => new LabeledMention(m.Label, m.Surface))
                .OrderBy(m => m.Label, StringComparer.Ordinal).ThenBy(m => m.Text, StringComparer.Ordinal);
            var got = back.Value.OrderBy(m => m.Label, StringComparer.Ordinal)
                .ThenBy(m => m.Text, StringComparer.Ordinal);
            Assert.True(gold.SequenceEqual(got),
                $"{dataset} sentence {i + 1} ({format}): gold [{string.Join("; ", gold)}] parsed "
                + $"[{string.Join("; ", got)}]");
        }

        long padellm = sentences.Sum(s =>
            (long)info.Schema.Keys.Sum(l => Math.Max(1, s.Mentions.Count(m => m.Label == l))));
        long expected = format switch
        {
            "padellm" => padellm,
            "padellm+aug" => padellm + sentences.Count,
            _ => sentences.Count,
        };
        Assert.Equal(expected, examples);
    }

    [Fact]
    public void Struct_matches_the_papers_table_1_example()
    {
        // CoNLL order ORG MISC PER LOC; mentions in text order, then NULLs.
        var schema = DatasetCatalog.Get("conll03").Schema;
        const string text = "Cuttitta 1995 World Cup Italy England";
        var s = new Sentence(text, [
            new GoldMention("LOC", "Italy", new CharSpan(24, 29)),
            new GoldMention("PER", "Cuttitta", new CharSpan(0, 8)),
            new GoldMention("LOC", "England", new CharSpan(30, 37)),
            new GoldMention("MISC", "1995 World Cup", new CharSpan(9, 23)),
        ]);
        Assert.Equal("((PER): (Cuttitta), (MISC): (1995 World Cup), (LOC): (Italy), (LOC): (England), (ORG): (NULL))",
            new StructFormat(schema).Render(s));
    }

    [Fact]
    public void Padellm_makes_one_example_per_mention_or_a_zero_count()
    {
        var schema = DatasetCatalog.Get("conll03").Schema;
        var s = new Sentence("Ann met Bob",
            [new GoldMention("PER", "Bob", new CharSpan(8, 11)), new GoldMention("PER", "Ann", new CharSpan(0, 3))]);
        var ex = new PadellmFormat(schema).Reformulate(s, 0).ToList();
        Assert.Equal(["ORG", "MISC", "PER", "PER", "LOC"], ex.Select(e => e.Label));
        Assert.Equal(["0", "0", "2\n<mention 1>Ann", "2\n<mention 2>Bob", "0"], ex.Select(e => e.Target));
        Assert.All(ex, e => Assert.True(e.AppendEos));
        var mentionOnly = new PadellmFormat(schema, LossSpan.MentionOnly).Reformulate(s, 0).ToList();
        Assert.Equal("Ann", mentionOnly[2].Target[mentionOnly[2].LossStart..]);
        Assert.Equal(0, mentionOnly[0].LossStart);
    }

    [Fact]
    public void Aug_nests_and_escapes()
    {
        var schema = DatasetCatalog.Get("genia").Schema;
        const string text = "IL-2 gene [x] expression";
        var s = new Sentence(text,
            [new GoldMention("DNA", "IL-2 gene", new CharSpan(0, 9)),
            new GoldMention("protein", "IL-2", new CharSpan(0, 4))]);
        var aug = new AugFormat(schema);
        string rendered = aug.Render(s);
        Assert.Equal("[[IL-2 protein] gene DNA] \\[x\\] expression", rendered);
        var back = aug.Parse(rendered);
        Assert.True(back.Ok);
        Assert.Equal(text, back.Value.Text);
        Assert.Equal([new LabeledMention("DNA", "IL-2 gene"), new LabeledMention("protein", "IL-2")],
            back.Value.Mentions);
    }
}
