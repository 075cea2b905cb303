using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Training.Tests;

public class ModelGrowthTests
{
    private static readonly int[] Tokens = [1, 5, 17, 42, 33, 7, 59, 12];

    // Every token but the last predicts the next.
    private static TrainingSequence Sequence =>
        TrainingSequence.Causal(Tokens, Tokens.Select((_, t) => t < Tokens.Length - 1).ToArray());

    public static TheoryData<string> Shapes() => new("llama-gqa-untied", "qwen2-bias-tied");

    private static TrainableDecoder Source(string shape)
    {
        ModelConfig config = shape == "llama-gqa-untied"
            ? TinyLlama.Config
            : TinyLlama.Config with
            {
                Architecture = "Qwen2ForCausalLM",
                AttentionBias = true,
                TieWordEmbeddings = true,
                KvHeads = 4,
            };
        TrainableDecoder model = TrainableDecoder.Random(config, seed: 7);

        // Random init has unit norms and zero biases, which would hide a wrong scale or a dropped bias.
        var rng = new Random(11);
        foreach (float[] values in model.Parameters.Values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] += (float)(0.05 * (rng.NextDouble() - 0.5));
            }
        }

        return model;
    }

    private static float[] EngineLogits(TrainableDecoder model, TempDir dir)
    {
        model.Save(dir.Path, PaDeLLM.Model.Numerics.DType.F32, model.Config.ToJson());
        using DecoderModel engine = DecoderModel.Load(dir.Path);
        return engine.Forward([new Segment(engine.NewCache().CreateRoot(), Tokens)], allPositions: true);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_grown_model_computes_the_same_logits_as_the_model_it_grew_from(string shape)
    {
        TrainableDecoder small = Source(shape);
        TrainableDecoder grown = ModelGrowth.Grow(small, hidden: 48, heads: 6, intermediate: 80, layers: 5, seed: 3);
        Assert.Equal(48, grown.Config.HiddenSize);
        Assert.Equal(small.Config.KvHeads * 6 / 4, grown.Config.KvHeads);
        Assert.Equal(5, grown.Config.Layers);

        using var a = new TempDir();
        using var b = new TempDir();
        float[] before = EngineLogits(small, a), after = EngineLogits(grown, b);
        Assert.Equal(before.Length, after.Length);
        double scale = before.Max(Math.Abs);
        for (int i = 0; i < before.Length; i++)
        {
            Assert.True(Math.Abs(before[i] - after[i]) <= 1e-5 * scale,
                $"logit {i}: {before[i]} before growing, {after[i]} after");
        }

        // The trainer's forward agrees: the same loss on a sequence.
        Assert.Equal(small.ForwardBackward([Sequence]), grown.ForwardBackward([Sequence]), 4);
    }

    [Fact]
    public void What_growing_adds_gets_a_gradient_from_the_first_step()
    {
        TrainableDecoder grown = ModelGrowth.Grow(Source("qwen2-bias-tied"), 48, 6, 80, 4, seed: 3);
        grown.ZeroGradients();
        grown.ForwardBackward([Sequence]);

        // The embeddings' new columns start at zero; so do the inserted layers' output projections.
        float[] embedding = grown.Gradients["model.embed_tokens.weight"];
        Assert.Contains(Enumerable.Range(0, 60 * 48).Where(i => i % 48 >= 32), i => embedding[i] != 0);
        int[] origins = ModelGrowth.LayerOrigins(2, 4);
        int inserted = Enumerable.Range(1, 3).First(l => origins[l] == origins[l - 1]);
        Assert.All(grown.Parameters[$"model.layers.{inserted}.self_attn.o_proj.weight"], w => Assert.Equal(0f, w));
        Assert.Contains(grown.Gradients[$"model.layers.{inserted}.self_attn.o_proj.weight"], g => g != 0);
        Assert.Contains(grown.Gradients[$"model.layers.{inserted}.mlp.down_proj.weight"], g => g != 0);
    }

    [Theory]
    [InlineData(4, 6, new[] { 0, 1, 1, 2, 3, 3 })]
    [InlineData(4, 5, new[] { 0, 1, 2, 3, 3 })]
    [InlineData(2, 2, new[] { 0, 1 })]
    [InlineData(2, 6, new[] { 0, 0, 0, 1, 1, 1 })]
    public void New_layers_are_spread_evenly_among_the_old(int from, int to, int[] expected) =>
        Assert.Equal(expected, ModelGrowth.LayerOrigins(from, to));

    [Fact]
    public void A_smaller_shape_is_refused_naming_what_would_shrink()
    {
        TrainableDecoder small = Source("llama-gqa-untied");
        var e = Assert.Throws<ArgumentException>(() => ModelGrowth.Grow(small, 32, 4, 48, 1, seed: 1));
        Assert.Contains("layers 1 are fewer than the model's 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => ModelGrowth.Grow(small, 32, 5, 48, 2, seed: 1));
        Assert.Contains("multiple of the model's 2 query heads per key-value head", e.Message);
    }
}
