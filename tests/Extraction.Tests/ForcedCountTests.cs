using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers;
using Xunit;

namespace PaDeLLM.Extraction.Tests;

/// <summary>
/// Given counts (the gold-count diagnosis): every count step answers the count it was given, in the prefix
/// tree and alone, the mention step decodes exactly that many mentions, and giving the model its own counts
/// changes nothing, so that what the diagnosis changes is the counts alone.
/// </summary>
public class ForcedCountTests
{
    [SharedDataTheory]
    [InlineData("models/resume-zh", "resume")]
    [InlineData("models/conll03-en", "conll03")]
    public void Given_counts_are_decoded_as_given_and_the_models_own_change_nothing(string dir, string dataset)
    {
        string path = Path.Combine(SharedData.RepoRoot, dir);
        ITokenizer tokenizer = TokenizerLoader.Load(path);
        using DecoderModel model = DecoderModel.Load(path);
        LabelSchema schema = DatasetCatalog.Get(dataset).Schema;
        StopTokens stops = StopTokens.For(tokenizer);
        Assert.Throws<ArgumentOutOfRangeException>(() => ForcedCount.For(tokenizer, stops, "x", -1));

        int changed = 0;
        foreach (Sentence s in DatasetCatalog.Get(dataset).Read(SharedData.DataDir, DatasetSplit.Dev).Take(12))
        {
            var gold = schema.Keys.ToDictionary(k => k, k => s.MentionsOf(k).Count, StringComparer.Ordinal);
            foreach (IPadellmSteps steps in new IPadellmSteps[]
            {
                new PrefixTreeSteps(model, tokenizer, stops, ExtractionLimits.Default, copy: null, givenCounts: gold),
                new AloneSteps(model, tokenizer, stops, ExtractionLimits.Default, copy: null, givenCounts: gold),
            })
            {
                IReadOnlyList<CountAnswer> counts = steps.CountAsync(s.Text, schema).Result;
                Assert.Equal(schema.Keys.Select(k => (int?)gold[k]), counts.Select(c => c.Count));
            }

            // The paper's two steps, so that the sequences are the counts and the mentions they call for.
            var extractor = new PadellmExtractor(model, tokenizer) { DecodeRepeatsAgain = false };
            ResultDocument own = extractor.Extract(s.Text, schema);
            ResultDocument forced = extractor.Extract(s.Text, schema, givenCounts: gold);
            Assert.Equal(schema.Labels.Count + gold.Values.Sum(), forced.Sequences);

            // The model's own counts, read back from its plain run, given back to it.
            var ownCounts = new PrefixTreeSteps(model, tokenizer, stops, ExtractionLimits.Default, copy: null)
                .CountAsync(s.Text, schema).Result
                .ToDictionary(c => c.Label, c => c.Count ?? 0, StringComparer.Ordinal);
            ResultDocument again = extractor.Extract(s.Text, schema, givenCounts: ownCounts);
            Assert.Equal(own.Entities, again.Entities);
            Assert.Equal(own.Sequences, again.Sequences);
            changed += ownCounts.Count(c => c.Value != gold[c.Key]);
        }

        Assert.True(changed > 0,
            "the model counted every label of these sentences right: the gold counts show nothing");
    }
}
