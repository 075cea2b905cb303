using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers;
using Xunit;

namespace PaDeLLM.Extraction.Tests;

/// <summary>
/// Count calibration tilts the count distribution by e^(β·n): a larger β never lowers a count, a
/// β that dwarfs every logit gap gives the largest digit, and β = 0 is the model's own greedy count.
/// </summary>
public class CountCalibrationTests
{
    [SharedDataFact]
    public void Counts_never_fall_as_the_bias_grows_and_a_huge_bias_gives_the_largest_digit()
    {
        string dir = Path.Combine(SharedData.RepoRoot, "models/conll03-en");
        ITokenizer tokenizer = TokenizerLoader.Load(dir);
        using DecoderModel model = DecoderModel.Load(dir);
        DatasetInfo info = DatasetCatalog.Get("conll03");
        StopTokens stops = StopTokens.For(tokenizer);
        Assert.Null(CountCalibration.For(tokenizer, stops, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CountCalibration.For(tokenizer, stops, -1));

        int[] Counts(string text, double bias) => new PrefixTreeSteps(
                model, tokenizer, stops, ExtractionLimits.Default, copy: null,
                CountCalibration.For(tokenizer, stops, bias))
            .CountAsync(text, info.Schema).Result.Select(a => a.Count ?? -1).ToArray();

        int raised = 0;
        foreach (Sentence s in info.Read(SharedData.DataDir, DatasetSplit.Dev).Take(15))
        {
            int[] plain = Counts(s.Text, 0), some = Counts(s.Text, 0.7), more = Counts(s.Text, 3);
            for (int l = 0; l < plain.Length; l++)
            {
                Assert.True(plain[l] <= some[l] && some[l] <= more[l],
                    $"'{s.Text}' {info.Schema.Labels[l].Key}: counts {plain[l]}, {some[l]}, {more[l]} "
                    + "fall as β grows");
            }

            raised += more.Zip(plain).Count(p => p.First > p.Second);
        }

        Assert.True(raised > 0, "β = 3 raised no count");
        Assert.All(Counts("EU rejects German call to boycott British lamb .", 50), c => Assert.Equal(9, c));
    }
}
