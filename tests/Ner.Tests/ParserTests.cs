using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Parsing;
using PaDeLLM.Ner.Training;
using Xunit;

namespace PaDeLLM.Ner.Tests;

/// <summary>Output parsers: exact on good output, a typed failure (never an exception) on anything else.</summary>
public class ParserTests
{
    [Theory]
    [InlineData("3\n", false, 3)]
    [InlineData("0", true, 0)]
    [InlineData("12\n<mention 1>", false, 12)]
    [InlineData("0\n", true, 0)]
    public void Counts_are_digits_up_to_newline_or_eos(string output, bool eos, int expected)
    {
        Parsed<int> p = CountOutputParser.Parse(output, eos);
        Assert.True(p.Ok, p.ToString());
        Assert.Equal(expected, p.Value);
    }

    [Theory]
    [InlineData("", true, ParseFailureKind.Empty)]
    [InlineData("", false, ParseFailureKind.Empty)]
    [InlineData("\n", false, ParseFailureKind.Empty)]
    [InlineData("three\n", false, ParseFailureKind.NotANumber)]
    [InlineData("-1\n", false, ParseFailureKind.NotANumber)]
    [InlineData(" 3\n", false, ParseFailureKind.NotANumber)]
    [InlineData("3", false, ParseFailureKind.Truncated)]
    [InlineData("99999999999999999999\n", false, ParseFailureKind.CountTooLarge)]
    [InlineData("65\n", false, ParseFailureKind.CountTooLarge)]
    public void Bad_counts_are_typed_failures(string output, bool eos, ParseFailureKind kind)
    {
        Parsed<int> p = CountOutputParser.Parse(output, eos);
        Assert.False(p.Ok);
        Assert.Equal(kind, p.Failure.Kind);
    }

    [Fact]
    public void Mentions_need_eos_and_content()
    {
        Assert.Equal("Paris", MentionOutputParser.Parse("Paris", true).Value);
        Assert.Equal(ParseFailureKind.Truncated, MentionOutputParser.Parse("Par", false).Failure!.Kind);
        Assert.Equal(ParseFailureKind.Empty, MentionOutputParser.Parse(" ", true).Failure!.Kind);
    }

    [Fact]
    public void Property_every_count_round_trips()
    {
        for (int n = 0; n <= CountOutputParser.DefaultMaxCount; n++)
        {
            Assert.Equal(n, CountOutputParser.Parse($"{n}\n", false).Value);
            Assert.Equal(n, CountOutputParser.Parse($"{n}", true).Value);
        }
    }

    [Fact]
    public void Property_junk_never_throws_from_any_parser()
    {
        var schema = DatasetCatalog.Get("conll03").Schema;
        var structFormat = new StructFormat(schema);
        var augFormat = new AugFormat(schema);
        var padellm = new PadellmFormat(schema);
        string[] atoms = ["(", ")", "((", "))", "), (", "): (", "[", "]", "\\", " ", "\n", "0", "7", "42", "PER", "ORG",
            "NULL", "<mention 1>", "<mention ", ">", "<num>", "é", "\ud83d\ude00", "x", "entity type:\n", "text:\n"];
        var rng = new Random(1234);
        for (int i = 0; i < 20_000; i++)
        {
            string junk = string.Concat(Enumerable.Range(0, rng.Next(12)).Select(_ => atoms[rng.Next(atoms.Length)]));
            bool eos = rng.Next(2) == 0;
            Check(CountOutputParser.Parse(junk, eos));
            Check(MentionOutputParser.Parse(junk, eos));
            Check(structFormat.Parse(junk));
            Check(augFormat.Parse(junk));
            Check(padellm.ParseTargets([new TrainingExample(0, "PER", junk, junk)]));
            Check(padellm.ParseTargets([new TrainingExample(0, "PER", "text:\nx\nentity type:\nPER\n\n<num>", junk)]));
        }

        static void Check<T>(Parsed<T> p) => Assert.True(p.Ok ? p.Value is not null : p.Failure.Message.Length > 0);
    }

    [Fact]
    public void Property_a_corrupted_valid_target_never_throws()
    {
        var schema = DatasetCatalog.Get("genia").Schema;
        var s = new Sentence("IL-2 ( a ) gene expression [ b ]", [
            new GoldMention("DNA", "IL-2 ( a ) gene", new CharSpan(0, 15)),
            new GoldMention("protein", "IL-2", new CharSpan(0, 4)),
        ]);
        var rng = new Random(99);
        foreach (ITrainingFormat f in new ITrainingFormat[] { new StructFormat(schema), new AugFormat(schema),
            new PadellmFormat(schema) })
        {
            var examples = f.Reformulate(s, 0).ToList();
            for (int i = 0; i < 3000; i++)
            {
                var mutated = examples.Select(e =>
                {
                    char[] c = e.Target.ToCharArray();
                    if (c.Length > 0)
                    {
                        c[rng.Next(c.Length)] = "()[]\\ \n0<>x"[rng.Next(11)];
                    }

                    return e with { Target = new string(c[..rng.Next(c.Length + 1)]) };
                }).ToList();
                _ = f.ParseTargets(mutated); // must return, success or failure
            }
        }
    }
}
