using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Model.Kernels;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Metrics;
using PaDeLLM.Ner.Prompts;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers;
using Xunit;
using Xunit.Abstractions;

namespace PaDeLLM.Extraction.Tests;

/// <summary>
/// How a copied mention ends: by the stops' whole probability (the default) or by the best stop
/// against the text's best continuation alone (the first rule). With one stop token the first rule
/// ends no later, so a mention copied by stop mass is the other's mention, or a longer run.
/// </summary>
public class CopyEndingTests(ITestOutputHelper output)
{
    private static readonly HashSet<int> Eos = [0];

    [Fact]
    public void A_model_that_would_go_on_outside_the_text_goes_on_with_the_text_by_stop_mass()
    {
        int[] source = [5, 6, 7];
        float[] logits = new float[10];
        logits[0] = 3; // the stop: the best single token, but under half of the mass …
        logits[9] = 2.8f; // … since the model would rather go on, with tokens the text lacks
        logits[8] = 2.8f;
        logits[6] = 1; // the text's continuation
        Assert.Equal(6, new TokenRunConstraint(source, Eos).Choose(logits, [5]));
        Assert.Equal(0, new TokenRunConstraint(source, Eos, ending: CopyEnding.Argmax).Choose(logits, [5]));

        // Stops holding more than half end the mention under both rules; no stop before a first token,
        // whose choice (the text's best) is the same under both.
        logits[0] = 6;
        Assert.True(Sampling.MassOf(logits, Eos) > 0.5);
        Assert.Equal(0, new TokenRunConstraint(source, Eos).Choose(logits, [5]));
        Assert.Equal(0, new TokenRunConstraint(source, Eos, ending: CopyEnding.Argmax).Choose(logits, [5]));
        Assert.Equal(6, new TokenRunConstraint(source, Eos).Choose(logits, []));
    }

    [Fact]
    public void The_mass_of_a_token_set_is_its_softmax_probability()
    {
        float[] logits = [1, 2, 3, 0];
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3) + 1;
        Assert.Equal((Math.Exp(1) + Math.Exp(3)) / z, Sampling.MassOf(logits, new HashSet<int> { 0, 2 }), 12);
        Assert.Equal(1.0, Sampling.MassOf(logits, new HashSet<int> { 0, 1, 2, 3 }), 12);
    }

    [SharedDataFact]
    public void The_character_check_also_goes_on_with_the_text_when_the_stops_hold_under_half()
    {
        ITokenizer tokenizer = TokenizerLoader.Load(Path.Combine(SharedData.Fixtures, "tokenizers", "llama2"));
        var stops = new HashSet<int> { tokenizer.EosId!.Value };
        const string text = "Peter Blackburn of Brussels";
        int[] peter = tokenizer.Encode("Peter");
        int next = tokenizer.Encode("Peter Black")[peter.Length]; // the token that continues the text
        int outside = tokenizer.Encode("Peter Pan")[peter.Length];
        float[] logits = new float[tokenizer.VocabSize];
        Array.Fill(logits, -20f); // the rest of the vocabulary holds no mass to speak of
        logits[stops.First()] = 5;
        logits[outside] = 4.9f;
        logits[tokenizer.Encode("Peter Zorro")[peter.Length]] = 4.9f;
        logits[next] = 1;
        Assert.Equal(next, new CharacterRunConstraint(text, tokenizer, stops).Choose(logits, peter));
        Assert.Equal(stops.First(), new CharacterRunConstraint(text, tokenizer, stops, CopyEnding.Argmax)
            .Choose(logits, peter));
        logits[stops.First()] = 9;
        Assert.Equal(stops.First(), new CharacterRunConstraint(text, tokenizer, stops).Choose(logits, peter));
    }

    [SharedDataFact]
    public void On_the_shipped_Chinese_model_stop_mass_extends_the_first_rules_mentions_and_scores_higher()
    {
        string dir = Path.Combine(SharedData.RepoRoot, "models/resume-zh");
        ITokenizer tokenizer = TokenizerLoader.Load(dir);
        using DecoderModel model = DecoderModel.Load(dir);
        DatasetInfo info = DatasetCatalog.Get("resume");
        List<Sentence> dev = info.Read(SharedData.DataDir, DatasetSplit.Dev).Take(60).ToList();
        StopTokens stops = StopTokens.For(tokenizer);
        PromptTemplate template = PromptTemplate.For(info.Schema.Language);

        // Every label's first mention, from the prompt that says there is one.
        int longer = 0, pairs = 0;
        foreach (Sentence s in dev)
        {
            var prompts = info.Schema.Labels.Select(l => tokenizer.Encode(
                CountPrompt.Build(s.Text, l, info.Schema.Language) + "1\n" + template.MentionMarker(1))).ToList();
            int[][] byArgmax = Decode(CopyEnding.Argmax), byMass = Decode(CopyEnding.StopMass);
            for (int i = 0; i < prompts.Count; i++, pairs++)
            {
                Assert.True(byMass[i].AsSpan().StartsWith(byArgmax[i]),
                    $"'{tokenizer.Decode(byMass[i])}' does not extend '{tokenizer.Decode(byArgmax[i])}'");
                longer += byMass[i].Length > byArgmax[i].Length ? 1 : 0;
            }

            int[][] Decode(CopyEnding ending)
            {
                ITokenConstraint constraint = CopyDecoding.For(tokenizer, stops, ending).For(s.Text);
                return new GreedyGenerator(model).Generate(prompts.Select(p =>
                    new GenerationRequest(model.NewCache().CreateRoot(), p, 24, stops.Mention)
                    {
                        Constraint = constraint,
                    }).ToList()).Select(r => r.Stopped ? r.Tokens[..^1] : r.Tokens).ToArray();
            }
        }

        double argmaxF1 = F1(CopyEnding.Argmax), massF1 = F1(CopyEnding.StopMass);
        output.WriteLine($"{longer} of {pairs} first mentions longer by stop mass; paper F1 on {dev.Count} dev "
            + $"sentences {100 * argmaxF1:F2} (argmax) → {100 * massF1:F2} (stop mass)");
        Assert.True(longer > 0, "the two rules never differed: the test shows nothing");
        Assert.True(massF1 > argmaxF1, $"stop mass did not score higher: {massF1:F4} against {argmaxF1:F4}");

        double F1(CopyEnding ending)
        {
            var extractor = new PadellmExtractor(model, tokenizer) { CopyEnding = ending };
            var evaluator = new NerEvaluator();
            foreach (Sentence s in dev)
            {
                evaluator.Add(s, extractor.Extract(s.Text, info.Schema).ToExtractionResult());
            }

            return evaluator.Paper.Micro.F1;
        }
    }
}
