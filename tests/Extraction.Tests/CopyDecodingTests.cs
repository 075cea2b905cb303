using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Model.Numerics;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Metrics;
using PaDeLLM.Ner.Results;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers;
using PaDeLLM.Tokenizers.Training;
using PaDeLLM.Training;
using Xunit;
using Xunit.Abstractions;

namespace PaDeLLM.Extraction.Tests;

/// <summary>
/// Copy-constrained mention decoding: a mention can only be a string of its text, whatever the
/// model prefers; with the constraint off, extraction is what it was before the constraint existed.
/// </summary>
public class CopyDecodingTests(ITestOutputHelper output)
{
    private static readonly string[] Texts =
    [
        "EU rejects German call to boycott British lamb .",
        "Peter Blackburn of Brussels met the European Commission on Tuesday .",
        "Japan began the defence of their Asian Cup title with a lucky 2-1 win against Syria .",
        "张三在北京大学担任教授，曾任中国科学院研究员。",
    ];

    [SharedDataTheory]
    [InlineData(CopyEnding.StopMass)]
    [InlineData(CopyEnding.Argmax)]
    public void A_random_model_copies_token_runs_of_the_text_with_a_copy_aligned_tokenizer(CopyEnding ending)
    {
        using var dir = new TempDir();
        ITokenizer tokenizer = CopyAlignedTokenizer(dir.Path);
        var copy = CopyDecoding.For(tokenizer, StopTokens.For(tokenizer), ending);
        Assert.True(copy.TokenExact, "a tokenizer trained copy-aligned is recognised as such");

        using DecoderModel model = RandomModel(tokenizer, dir.Path);
        int ended = 0;
        foreach (string text in Texts)
        {
            int[] source = tokenizer.Encode(text);
            // Ended or cut off by the token limit, every mention is a run of the text.
            foreach (GenerationResult r in Mentions(model, tokenizer, text, copy.For(text), seeds: 12))
            {
                int[] mention = r.Stopped ? r.Tokens[..^1] : r.Tokens;
                Assert.NotEmpty(mention);
                ended += r.Stopped ? 1 : 0;
                Assert.True(IsRun(source, mention), $"[{string.Join(",", mention)}] is not a run of '{text}'");
                string decoded = tokenizer.Decode(mention).Trim(); // one cut off may end inside a character
                Assert.True(
                    !r.Stopped || text.Contains(decoded, StringComparison.Ordinal), $"'{decoded}' is not in '{text}'");
            }
        }

        // A random model's stop is often its best token but never half its mass: only the first rule ends.
        if (ending == CopyEnding.Argmax)
        {
            Assert.True(ended >= Texts.Length * 12 / 2, $"only {ended} mentions ended: too few to show anything");
        }
    }

    [SharedDataTheory]
    [InlineData("llama2")]
    [InlineData("gpt2")]
    public void A_random_model_copies_characters_of_the_text_with_any_other_tokenizer(string name)
    {
        ITokenizer tokenizer = TokenizerLoader.Load(Path.Combine(SharedData.Fixtures, "tokenizers", name));
        var copy = CopyDecoding.For(tokenizer, StopTokens.For(tokenizer));
        Assert.False(copy.TokenExact, $"{name}'s pieces cross word edges: the check is on characters");

        using var dir = new TempDir();
        using DecoderModel model = RandomModel(tokenizer, dir.Path);
        int unconstrainedOutside = 0, accepted = 0;
        foreach (string text in Texts.Take(name == "gpt2" ? 3 : 4))
        {
            foreach (GenerationResult r in Mentions(model, tokenizer, text, copy.For(text), seeds: 6)
                .Where(r => r.Stopped))
            {
                string mention = tokenizer.Decode(r.Tokens[..^1]).Trim();
                accepted++;
                Assert.True(mention.Length > 0 && text.Contains(mention, StringComparison.Ordinal),
                    $"'{mention}' is not in '{text}'");
            }

            foreach (GenerationResult r in Mentions(model, tokenizer, text, null, seeds: 6))
            {
                string free = tokenizer.Decode(r.Stopped ? r.Tokens[..^1] : r.Tokens).Trim();
                unconstrainedOutside += text.Contains(free, StringComparison.Ordinal) ? 0 : 1;
            }
        }

        Assert.True(accepted >= 6, $"only {accepted} mentions ended: too few to show anything");

        // The same random model unconstrained writes strings that are not in the text: the check has work to do.
        Assert.True(unconstrainedOutside > 0, "the random model happened to copy without the constraint");
    }

    [SharedDataTheory]
    [InlineData("copy-aligned")]
    [InlineData("llama2")]
    public void A_mention_decoded_again_repeats_no_barred_string_and_starts_inside_its_window(string name)
    {
        using var dir = new TempDir();
        ITokenizer tokenizer = name == "llama2"
            ? TokenizerLoader.Load(Path.Combine(SharedData.Fixtures, "tokenizers", name))
            : CopyAlignedTokenizer(dir.Path);
        // Ended by the first rule, a random model's mentions end anywhere (by stop mass only at the text's end).
        var copy = CopyDecoding.For(tokenizer, StopTokens.For(tokenizer), CopyEnding.Argmax);
        Assert.Equal(name != "llama2", copy.TokenExact);
        using DecoderModel model = RandomModel(tokenizer, dir.Path);

        string text = Texts[1];
        string[] free = Mentions(model, tokenizer, text, copy.For(text), seeds: 12)
            .Where(r => r.Stopped).Select(r => tokenizer.Decode(r.Tokens[..^1]).Trim()).ToArray();

        // Barred: the model's favourite copy and a name, and the text's first and last words by the window.
        string[] avoid = [free.GroupBy(m => m).MaxBy(g => g.Count())!.Key, "Brussels"];
        int from = text.IndexOf("Blackburn", StringComparison.Ordinal);
        int before = text.IndexOf("Tuesday", StringComparison.Ordinal);
        var barred = avoid.SelectMany(a => Enumerable.Range(0, text.Length)
            .Where(p => string.CompareOrdinal(text, p, a, 0, a.Length) == 0)).ToHashSet();
        bool Keeps(string m) => !avoid.Contains(m) && Enumerable.Range(from, before - from)
            .Any(p => !barred.Contains(p) && string.CompareOrdinal(text, p, m, 0, m.Length) == 0);

        var bars = new RepeatBars(avoid, from, before);
        string[] again = Mentions(model, tokenizer, text, copy.For(text, bars), seeds: 12)
            .Where(r => r.Stopped).Select(r => tokenizer.Decode(r.Tokens[..^1]).Trim()).ToArray();
        output.WriteLine($"barred: {string.Join(" | ", again)}\ncopied: {string.Join(" | ", free)}");
        Assert.True(again.Length >= 6, $"only {again.Length} mentions ended: too few to show anything");
        Assert.All(again, m => Assert.True(Keeps(m), $"'{m}' repeats a barred string or starts outside its window"));

        // The same model with only the copy constraint writes mentions the bars refuse: they have work to do.
        Assert.Contains(free, m => !Keeps(m));
    }

    [Fact]
    public void A_barred_start_leaves_the_tokens_other_occurrences_to_continue()
    {
        int[] source = [5, 6, 7, 5, 8];
        float[] logits = new float[10];
        (logits[5], logits[6], logits[8]) = (3, 2, 1);
        Assert.Equal(6, new TokenRunConstraint(source, new HashSet<int> { 0 }).Choose(logits, [5]));
        var barred = new TokenRunConstraint(source, new HashSet<int> { 0 }, barredStarts: new HashSet<int> { 0 });
        Assert.Equal(5, barred.Choose(logits, [])); // 5 still stands at position 3
        Assert.Equal(8, barred.Choose(logits, [5])); // and goes on as it does there
        var both = new TokenRunConstraint(source, new HashSet<int> { 0 }, barredStarts: new HashSet<int> { 0, 3 });
        Assert.Equal(6, both.Choose(logits, [])); // no 5 may start a mention now
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_token_run_constraint_takes_the_best_allowed_token_and_ends_only_after_one(bool repeated)
    {
        int[] source = repeated ? [5, 6, 7, 5, 8] : [5, 6, 7];
        var constraint = new TokenRunConstraint(source, new HashSet<int> { 0 });
        float[] logits = new float[10];
        logits[0] = 9; // the stop token is the model's favourite
        logits[9] = 8; // then a token that is not in the text
        logits[6] = 1;
        logits[8] = 2;
        // No stop before a token; 9 is not in the text; of the text's tokens 8 (when there) then 6 are best.
        Assert.Equal(repeated ? 8 : 6, constraint.Choose(logits, []));
        Assert.Equal(0, constraint.Choose(logits, [5])); // after one token the stop is allowed and preferred
        logits[0] = -9;
        Assert.Equal(repeated ? 8 : 6, constraint.Choose(logits, [5])); // what follows some occurrence of 5
        Assert.Equal(7, constraint.Choose(logits, [5, 6]));
        // At the text's end only the stop remains; where 5 follows, it is the better.
        Assert.Equal(repeated ? 5 : 0, constraint.Choose(logits, [5, 6, 7]));
    }

    [SharedDataFact]
    public void The_shipped_model_with_the_constraint_writes_only_strings_of_the_text_and_scores_higher()
    {
        (double constrained, int outside) = Evaluate(copyMentions: true, out List<ResultDocument> documents);
        (double free, int freeOutside) = Evaluate(copyMentions: false, out _);
        output.WriteLine($"paper F1 {100 * constrained:F2} copied, {100 * free:F2} free; "
            + $"strings not in the text {outside} copied, {freeOutside} free");
        foreach (ResultDocument d in documents)
        {
            Assert.Empty(d.Unresolved);
            Assert.All(d.Entities, e => Assert.Equal(e.Text, d.Text.Substring(e.Start, e.End - e.Start)));
        }

        Assert.Equal(0, outside);
        Assert.True(freeOutside > 0, "the shipped model never wrote a string outside its text: nothing to constrain");
        Assert.True(constrained > free, $"copying did not help: {constrained:F4} against {free:F4}");
    }

    [SharedDataFact]
    public void Without_the_constraint_extraction_equals_the_predictions_made_before_it_existed()
    {
        // The shipped model's dev predictions, written by a `padellm eval` built before copy decoding
        // existed (commit 5acd6f4): docs/results/reproduce.sh eval-models.
        string path = Path.Combine(SharedData.RepoRoot, "docs/results/conll03-en-free-batch-dev.json");
        List<OfficialRecord> before = OfficialResultsFile.Load(path);
        (ITokenizer tokenizer, DecoderModel model) = Shipped();
        using (model)
        {
            var extractor = new PadellmExtractor(model, tokenizer) { CopyMentions = false };
            LabelSchema schema = DatasetCatalog.Get("conll03").Schema;
            foreach (OfficialRecord record in before.Take(300))
            {
                var now = extractor.Extract(record.Text, schema).ToExtractionResult().Entities
                    .GroupBy(e => e.Label).ToDictionary(g => g.Key, g => g.Select(e => e.Text).ToList());
                Assert.Equal(Canonical(record.PredictedStrings()), Canonical(now));
            }
        }
    }

    private static string Canonical(IReadOnlyDictionary<string, List<string>> byLabel) => string.Join(" | ",
        byLabel.Where(p => p.Value.Count > 0).OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + ": " + string.Join(", ", p.Value.Distinct().Order(StringComparer.Ordinal))));

    private static (double F1, int Outside) Evaluate(bool copyMentions, out List<ResultDocument> documents)
    {
        (ITokenizer tokenizer, DecoderModel model) = Shipped();
        using (model)
        {
            var extractor = new PadellmExtractor(model, tokenizer) { CopyMentions = copyMentions };
            DatasetInfo info = DatasetCatalog.Get("conll03");
            var evaluator = new NerEvaluator();
            documents = [];
            foreach (Sentence s in info.Read(SharedData.DataDir, DatasetSplit.Dev).Take(200))
            {
                ResultDocument d = extractor.Extract(s.Text, info.Schema);
                documents.Add(d);
                evaluator.Add(s, d.ToExtractionResult());
            }

            return (evaluator.Paper.Micro.F1, documents.Sum(d => d.Unresolved.Count));
        }
    }

    private static (ITokenizer, DecoderModel) Shipped()
    {
        string dir = Path.Combine(SharedData.RepoRoot, "models/conll03-en");
        return (TokenizerLoader.Load(dir), DecoderModel.Load(dir));
    }

    /// <summary>Every mention sequence of a count prompt, from a few different random contexts.</summary>
    private static IReadOnlyList<GenerationResult> Mentions(
        DecoderModel model, ITokenizer tokenizer, string text, ITokenConstraint? constraint, int seeds)
    {
        StopTokens stops = StopTokens.For(tokenizer);
        var requests = Enumerable.Range(1, seeds).Select(k => new GenerationRequest(
            model.NewCache().CreateRoot(),
            tokenizer.Encode($"text:\n{text}\nentity type:\nlabel {k}\n\n<num>{k}\n<mention {k}>"), 8, stops.Mention)
        {
            Constraint = constraint,
        }).ToList();
        return new GreedyGenerator(model).Generate(requests);
    }

    /// <summary>A copy-aligned BPE trained on CoNLL-2003 sentences and the Chinese example, saved in dir.</summary>
    private static ITokenizer CopyAlignedTokenizer(string dir)
    {
        List<Sentence> train = DatasetCatalog.Get("conll03").Read(SharedData.DataDir, DatasetSplit.Train)
            .Take(400).ToList();
        BpeTrainer.Save(BpeTrainer.Train(
            train.Select(s => s.Text).Append(Texts[3]), new BpeTrainerOptions { VocabSize = 600, CopyAligned = true }),
            dir);
        return TokenizerLoader.Load(dir);
    }

    private static bool IsRun(int[] source, int[] run) =>
        Enumerable.Range(0, source.Length - run.Length + 1).Any(i => source.AsSpan(i, run.Length).SequenceEqual(run));

    /// <summary>
    /// A small Llama with random weights over the tokenizer's vocabulary: it prefers nothing in particular.
    /// </summary>
    private static DecoderModel RandomModel(ITokenizer tokenizer, string dir)
    {
        var config = new ModelConfig
        {
            Architecture = "LlamaForCausalLM",
            HiddenSize = 32,
            IntermediateSize = 64,
            Layers = 1,
            Heads = 2,
            KvHeads = 2,
            HeadDim = 16,
            VocabSize = tokenizer.VocabSize,
            RmsNormEps = 1e-5f,
            MaxPositions = 512,
            TieWordEmbeddings = true,
            BosTokenId = tokenizer.BosId,
            EosTokenIds = [tokenizer.EosId ?? 0],
        };
        string modelDir = Path.Combine(dir, "random-model");
        Directory.CreateDirectory(modelDir);
        TrainableDecoder.Random(config, seed: 7).Save(modelDir, DType.F32, config.ToJson());
        return DecoderModel.Load(modelDir);
    }
}
