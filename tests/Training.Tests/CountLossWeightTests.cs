using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers.HuggingFace;
using Xunit;

namespace PaDeLLM.Training.Tests;

/// <summary><c>train.count_loss_weight</c> weighs the predictions of a PaDeLLM count's tokens, and no others.</summary>
public class CountLossWeightTests
{
    private static readonly string[] People = ["Ann", "Bob", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ivy", "Jo",
        "Kim", "Lu"];

    /// <summary>Twelve PER mentions (a two-digit count), one LOC, no ORG or MISC.</summary>
    private static Sentence Sample()
    {
        string text = string.Join(" ", People) + " met in Paris .";
        var mentions = People.Select(p => new GoldMention("PER", p, Span(text, p + " ")))
            .Append(new GoldMention("LOC", "Paris", Span(text, "Paris")))
            .ToList();
        return new Sentence(text, mentions);
    }

    private static CharSpan Span(string text, string part)
    {
        int start = text.IndexOf(part, StringComparison.Ordinal);
        string word = part.TrimEnd();
        return new CharSpan(start, start + word.Length);
    }

    private static HfTokenizer ShippedTokenizer() =>
        HfTokenizer.Load(Path.Combine(SharedData.RepoRoot, "models", "conll03-en", "tokenizer.json"));

    [Fact]
    public void Only_the_tokens_that_spell_the_count_are_weighed_apart()
    {
        HfTokenizer tokenizer = ShippedTokenizer();
        var schema = DatasetCatalog.Get("conll03").Schema;
        var counts = new List<string>();
        foreach (TrainingExample e in new PadellmFormat(schema).Reformulate(Sample(), 0))
        {
            (int[] tokens, float[] plain) = PackedExamples.Tokenize(e, tokenizer, promptWeight: 0.5f);
            (int[] same, float[] weighted) = PackedExamples.Tokenize(e, tokenizer, 0.5f, countWeight: 3);
            Assert.Equal(tokens, same);
            int[] changed = Enumerable.Range(0, tokens.Length).Where(t => plain[t] != weighted[t]).ToArray();
            Assert.NotEmpty(changed);
            Assert.All(changed, t => Assert.Equal((1f, 3f), (plain[t], weighted[t])));

            // The changed positions are consecutive and predict exactly the count the target starts with.
            Assert.Equal(Enumerable.Range(changed[0], changed.Length), changed);
            string predicted = tokenizer.Decode(changed.Select(t => tokens[t + 1]).ToList());
            Assert.Equal(e.Target.Split('\n')[0], predicted);
            counts.Add(predicted);
        }

        Assert.Equal(["0", "0", .. Enumerable.Repeat("12", 12), "1"], counts);
    }

    [Fact]
    public void A_packed_row_weighs_each_labels_count_once_per_example_and_a_mention_only_loss_not_at_all()
    {
        HfTokenizer tokenizer = ShippedTokenizer();
        var schema = DatasetCatalog.Get("conll03").Schema;
        List<TrainingExample> examples = new PadellmFormat(schema).Reformulate(Sample(), 0).ToList();
        TrainingSequence plain = PackedExamples.Pack(examples, tokenizer, promptWeight: 1);
        TrainingSequence weighted = PackedExamples.Pack(examples, tokenizer, promptWeight: 1, countWeight: 4);
        Assert.Equal(plain.Tokens, weighted.Tokens);

        // Each example's count tokens gain (4 - 1); the packed tree sums the examples that share them.
        int CountTokens(TrainingExample e) => PackedExamples.Tokenize(e, tokenizer).Weights
            .Zip(PackedExamples.Tokenize(e, tokenizer, countWeight: 4).Weights).Count(w => w.First != w.Second);
        double expected = examples.Sum(CountTokens) * 3.0;
        Assert.True(expected >= 3 * examples.Count);
        Assert.Equal(plain.TotalWeight + expected, weighted.TotalWeight, 3);

        // With the loss on the mention alone (LossSpan.MentionOnly) no count is in the loss to weigh.
        List<TrainingExample> mentionOnly = new PadellmFormat(schema, LossSpan.MentionOnly).Reformulate(Sample(), 0)
            .Where(e => e.LossStart > 0).ToList();
        Assert.NotEmpty(mentionOnly);
        Assert.All(mentionOnly, e => Assert.Equal(
            PackedExamples.Tokenize(e, tokenizer).Weights,
            PackedExamples.Tokenize(e, tokenizer, countWeight: 4).Weights));
    }
}
