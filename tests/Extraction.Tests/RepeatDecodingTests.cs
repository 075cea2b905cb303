using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Metrics;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers;
using Xunit;
using Xunit.Abstractions;

namespace PaDeLLM.Extraction.Tests;

/// <summary>
/// Repeats decoded again on the shipped Resume model (whose long lists of titles and organisations are where two
/// slots land on one string): the second round only adds strings, and what it adds is scored against the gold.
/// </summary>
public class RepeatDecodingTests(ITestOutputHelper output)
{
    [SharedDataTheory]
    [InlineData(DecodingMode.Batch)]
    [InlineData(DecodingMode.Multi)]
    public void Decoding_repeats_again_only_adds_strings_and_finds_more_gold_than_it_invents(DecodingMode mode)
    {
        string dir = Path.Combine(SharedData.RepoRoot, "models/resume-zh");
        ITokenizer tokenizer = TokenizerLoader.Load(dir);
        using DecoderModel model = DecoderModel.Load(dir);
        var again = new PadellmExtractor(model, tokenizer) { Mode = mode };
        var keep = new PadellmExtractor(model, tokenizer) { Mode = mode, DecodeRepeatsAgain = false };
        DatasetInfo info = DatasetCatalog.Get("resume");

        int changed = 0, found = 0, invented = 0;
        int sentences = mode == DecodingMode.Batch ? 150 : 60;
        foreach (Sentence s in info.Read(SharedData.DataDir, DatasetSplit.Dev).Take(sentences))
        {
            ResultDocument a = again.Extract(s.Text, info.Schema), k = keep.Extract(s.Text, info.Schema);
            var withRepeats = a.Entities.Select(e => (e.Label, e.Text)).ToHashSet();
            var kept = k.Entities.Select(e => (e.Label, e.Text)).ToHashSet();

            // A string the second round does not keep can only have moved to a likelier label (the paper's merge).
            Assert.All(kept.Except(withRepeats), p => Assert.Contains(withRepeats, q => q.Text == p.Text));
            Assert.All(a.Entities, e => Assert.Equal(e.Text, s.Text[e.Start..e.End]));
            Assert.True(a.Sequences >= k.Sequences, "the second round decodes more sequences, never fewer");
            if (!withRepeats.SetEquals(kept))
            {
                changed++;
                var gold = info.Schema.Keys.SelectMany(l => s.MentionsOf(l).Select(m => (l, m.Surface))).ToHashSet();
                found += withRepeats.Except(kept).Count(gold.Contains);
                invented += withRepeats.Except(kept).Count(p => !gold.Contains(p));
            }
        }

        output.WriteLine($"{mode}: {changed} sentences changed; {found} gold strings found, {invented} not gold");
        Assert.True(changed > 0, "no repeat was decoded again: nothing was tested");
        Assert.True(found > invented, $"the second round found {found} gold strings and invented {invented}");
    }
}
