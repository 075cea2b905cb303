using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Kernels;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Training.Tests;

/// <summary>
/// A model that reads its text bidirectionally (a prefix LM): the trainer's packed rows and the engine's
/// bidirectional prefill must be the same function, or a trained model decodes other than it learnt.
/// </summary>
public class BidirectionalTextTests
{
    private static readonly int[] Text = [1, 45, 17, 42, 99, 7, 23, 61, 12];

    // The text, then a label's prompt and target; the loss from the last prompt token on, and on the text too.
    private static readonly (int[] Tokens, float[] Weights)[] Examples =
    [
        Example([5], [7, 2]),
        Example([6], [11, 13, 60, 61, 2]),
        Example([6], [11, 13, 60, 62, 9, 2]),
    ];

    private static (int[], float[]) Example(int[] label, int[] target)
    {
        int[] tokens = [.. Text, .. label, .. target];
        int promptEnd = Text.Length + label.Length;
        return (tokens, tokens.Select((_, t) => t >= tokens.Length - 1 ? 0f : t >= promptEnd - 1 ? 1f : 0.5f)
            .ToArray());
    }

    [Fact]
    public void The_text_sees_itself_whole_and_predicts_nothing_it_sees()
    {
        TrainingSequence row = PrefixTreePacker.Pack(Examples, bidirectionalPrefix: Text.Length);
        TrainingSequence causal = PrefixTreePacker.Pack(Examples);
        int n = row.Length, m = Text.Length;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                bool expected = (i < m && j < m) || causal.Visible[(i * n) + j];
                Assert.Equal(expected, row.Visible[(i * n) + j]);
            }
        }

        // The text's tokens but its last lose their (prompt-loss) targets; the rest of the row is unchanged.
        Assert.All(Enumerable.Range(0, m - 1), i => Assert.Empty(row.Targets[i]));
        Assert.NotEmpty(causal.Targets[0]);
        Assert.All(Enumerable.Range(m - 1, n - m + 1), i => Assert.Equal(causal.Targets[i], row.Targets[i]));
    }

    [Fact]
    public void Examples_that_do_not_share_the_text_are_refused()
    {
        (int[] Tokens, float[] Weights) other = ([1, 45, 17, 3, 99, 7, 23, 61, 12, 5, 2], new float[11]);
        Assert.Throws<ArgumentException>(() => PrefixTreePacker.Pack([Examples[0], other], Text.Length));
    }

    [SharedDataFact]
    public void The_engine_decodes_with_the_attention_the_trainer_learns_with()
    {
        string source = Path.Combine(SharedData.Fixtures, "models", "llama-tiny");
        TrainableDecoder loaded = TrainableDecoder.Load(source);
        var model = new TrainableDecoder(
            loaded.Config with { BidirectionalText = true }, loaded.Parameters, loaded.Shapes);
        TrainingSequence row = PrefixTreePacker.Pack(Examples, bidirectionalPrefix: Text.Length);
        double trainerLoss = model.ForwardBackward([row]);

        using var dir = new TempDir();
        model.Save(dir.Path, PaDeLLM.Model.Numerics.DType.F32, model.Config.ToJson());
        using DecoderModel engine = DecoderModel.Load(dir.Path);
        Assert.True(engine.Config.BidirectionalText); // config.json carries it

        // The engine: the text once, bidirectionally; each example's rest causally on a branch of it.
        KvNode root = engine.NewCache().CreateRoot();
        float[] last = engine.Forward([new Segment(root, Text, Bidirectional: true)]);
        int vocab = engine.Config.VocabSize, m = Text.Length;
        double sum = 0, weight = 0;
        foreach ((int[] tokens, float[] weights) in Examples)
        {
            float[] logits = engine.Forward([new Segment(root.Branch(), tokens[m..])], allPositions: true);
            for (int t = m - 1; t < tokens.Length - 1; t++)
            {
                ReadOnlySpan<float> at = t == m - 1 ? last : logits.AsSpan((t - m) * vocab, vocab);
                sum -= weights[t] * Sampling.LogSoftmaxAt(at, tokens[t + 1]);
                weight += weights[t];
            }
        }

        Assert.Equal(trainerLoss, sum / weight, 4);

        // And the mask matters: read causally, the same weights and targets give another loss.
        var causal = row with { Visible = PrefixTreePacker.Pack(Examples).Visible };
        double causalLoss = TrainableDecoder.Load(source).ForwardBackward([causal]);
        Assert.True(Math.Abs(causalLoss - trainerLoss) > 1e-3, $"{causalLoss} vs {trainerLoss}");
    }
}
