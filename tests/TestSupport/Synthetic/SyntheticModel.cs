using System.Text.Json.Nodes;
using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Numerics;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tokenizers.HuggingFace;
using PaDeLLM.Tokenizers.Training;
using PaDeLLM.Training;
using Xunit;

namespace PaDeLLM.Tests;

/// <summary>
/// A small synthetic NER task (people and places in templated sentences) and a tiny Llama
/// trained on it here in the PaDeLLM format: a real model, made in seconds, for tests of
/// everything downstream of the engine (extractor, activities, corpus runs, the GPU host).
/// </summary>
public static class SyntheticNer
{
    public static readonly string[] People = ["Anna", "Boris", "Chen", "Dmitri", "Elena", "Farid", "Greta", "Hiro",
        "Ines", "Jonas", "Kofi", "Lena"];
    public static readonly string[] Places = ["Paris", "Lima", "Oslo", "Cairo", "Tokyo", "Quito", "Rome", "Dakar",
        "Hanoi", "Bern", "Riga", "Doha"];
    private static readonly string[] Templates =
    [
        "{P} flew to {L} .", "{P} met {P} in {L} .", "In {L} , {P} won the race .", "{P} stayed at home .",
        "{L} welcomed {P} and {P} .", "Rain fell on {L} .", "{P} called {P} from {L} .", "The team left {L} for {L} .",
    ];

    public static readonly LabelSchema Schema = new("synthetic", PromptLanguage.English,
        [new EntityLabel("PER", "PER"), new EntityLabel("LOC", "LOC")]);

    public static List<Sentence> Generate(int count, int seed)
    {
        var rng = new Random(seed);
        var sentences = new List<Sentence>();
        while (sentences.Count < count)
        {
            string template = Templates[rng.Next(Templates.Length)];
            var text = new System.Text.StringBuilder();
            var mentions = new List<GoldMention>();
            var used = new HashSet<string>();
            foreach (string part in template.Split(' '))
            {
                if (text.Length > 0)
                {
                    text.Append(' ');
                }

                string label = part == "{P}" ? "PER" : part == "{L}" ? "LOC" : "";
                string word = part;
                if (label.Length > 0)
                {
                    string[] pool = label == "PER" ? People : Places;
                    do
                    {
                        word = pool[rng.Next(pool.Length)];
                    }
                    while (!used.Add(word));
                    mentions.Add(new GoldMention(label, word, new CharSpan(text.Length, text.Length + word.Length)));
                }

                text.Append(word);
            }

            sentences.Add(new Sentence(text.ToString(), mentions));
        }

        return sentences;
    }

    /// <summary>
    /// Trains the tokenizer and a 2-layer, 64-wide Llama (400 steps of 8 packed sentences) and
    /// saves an HF-layout model directory with its tokenizer and labels.json; returns the losses.
    /// </summary>
    public static List<double> TrainInto(string dir)
    {
        List<Sentence> train = Generate(400, 1);
        var format = new PadellmFormat(Schema);
        var corpus = train.SelectMany((s, i) => format.Reformulate(s, i)).Select(e => e.Prompt + e.Target).ToList();
        BpeTrainer.Save(BpeTrainer.Train(corpus,
            new BpeTrainerOptions { VocabSize = 400, UserDefined = BpeTrainerOptions.PadellmMarkers(4) }), dir);
        var tokenizer = HfTokenizer.Load(Path.Combine(dir, "tokenizer.json"));
        var config = new ModelConfig
        {
            Architecture = "LlamaForCausalLM",
            HiddenSize = 64,
            IntermediateSize = 128,
            Layers = 2,
            Heads = 4,
            KvHeads = 4,
            HeadDim = 16,
            VocabSize = tokenizer.VocabSize,
            RmsNormEps = 1e-5f,
            MaxPositions = 256,
            TieWordEmbeddings = true,
            BosTokenId = tokenizer.BosId,
            EosTokenIds = [tokenizer.EosId!.Value],
        };
        TrainableDecoder model = TrainableDecoder.Random(config, seed: 7);
        var rows = train.Select((s, i) => PackedExamples.Sentence(s, i, format, tokenizer)).ToList();
        const int steps = 400, batch = 8;
        var schedule = new LearningRateSchedule(1e-2, WarmupSteps: 20, TotalSteps: steps);
        var optimizer = new AdamW(weightDecay: 0.0);
        var rng = new Random(3);
        var losses = new List<double>();
        for (int step = 0; step < steps; step++)
        {
            model.ZeroGradients();
            losses.Add(model.ForwardBackward(Enumerable.Range(0, batch).Select(_ => rows[rng.Next(rows.Count)])
                .ToList()));
            GradientClipping.ClipGlobalNorm(model.Gradients, 1.0);
            optimizer.Update(model.Parameters, model.Gradients, schedule.At(step));
        }

        model.Save(dir, DType.F32, config.ToJson());
        File.WriteAllText(Path.Combine(dir, "labels.json"), new JsonObject
        {
            ["name"] = Schema.Name,
            ["language"] = "en",
            ["labels"] = new JsonArray(
                Schema.Labels.Select(l => (JsonNode)new JsonObject { ["key"] = l.Key, ["prompt"] = l.PromptName })
                .ToArray()),
        }.ToJsonString());
        return losses;
    }
}

/// <summary>The synthetic model, trained once per test assembly (about 15 s on two cores).</summary>
public sealed class SyntheticModelFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public SyntheticModelFixture()
    {
        Losses = SyntheticNer.TrainInto(_dir.Path);
    }

    public string Directory => _dir.Path;

    public IReadOnlyList<double> Losses { get; }

    public void Dispose() => _dir.Dispose();
}

[CollectionDefinition(Name)]
public sealed class SyntheticModelCollection : ICollectionFixture<SyntheticModelFixture>
{
    public const string Name = "synthetic model";
}
