using PaDeLLM.Training.Layers;
using Xunit;

namespace PaDeLLM.Training.Tests;

/// <summary>
/// Residual dropout: its masks, and gradients that are the derivative of the loss under the same masks.
/// </summary>
public class DropoutTests
{
    private static readonly PaDeLLM.Model.Checkpoints.ModelConfig Config = TinyLlama.Config;

    private static List<TrainingSequence> Rows(int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, 3).Select(_ =>
        {
            int[] t = Enumerable.Range(0, 10).Select(_ => rng.Next(60)).ToArray();
            return TrainingSequence.Causal(t, t.Select((_, i) => i >= 3).ToArray());
        }).ToList();
    }

    [Fact]
    public void A_mask_drops_the_asked_share_and_scales_the_rest_to_keep_the_mean()
    {
        var mask = new float[200_000];
        DropoutLayer.Mask(mask, 0.3f, new SplitMix64(4));
        double dropped = mask.Count(m => m == 0) / (double)mask.Length;
        Assert.InRange(dropped, 0.295, 0.305); // 0.3 ± 4.6 standard deviations
        Assert.All(mask.Where(m => m != 0), m => Assert.Equal(1f / 0.7f, m));
        Assert.InRange(mask.Average(m => (double)m), 0.99, 1.01);
        Assert.Throws<ArgumentOutOfRangeException>(() => DropoutLayer.Mask(mask, 1f, new SplitMix64(4)));
    }

    [Fact]
    public void Gradients_with_dropout_are_the_finite_differences_of_the_loss_under_the_same_masks()
    {
        TrainableDecoder model = TrainableDecoder.Random(Config, 3);
        model.Dropout = 0.25f;
        List<TrainingSequence> batch = Rows(8);
        const ulong seed = 77;
        model.ZeroGradients();
        double loss = model.ForwardBackward(batch, seed);
        model.Dropout = 0;
        Assert.NotEqual(loss, model.ForwardBackward(batch, seed)); // the masks were applied
        model.Dropout = 0.25f;

        // The weights with the largest gradients in a dropped block's output projection and in an input projection.
        foreach (string name in new[] { "model.layers.0.mlp.down_proj.weight", "model.layers.1.self_attn.o_proj.weight",
            "model.layers.0.self_attn.q_proj.weight" })
        {
            model.ZeroGradients();
            model.ForwardBackward(batch, seed);
            float[] g = (float[])model.Gradients[name].Clone();
            float[] w = model.Parameters[name];
            foreach (int i in Enumerable.Range(0, g.Length).OrderByDescending(i => Math.Abs(g[i])).Take(3))
            {
                const float eps = 5e-3f;
                float saved = w[i];
                w[i] = saved + eps;
                double up = model.ForwardBackward(batch, seed);
                w[i] = saved - eps;
                double down = model.ForwardBackward(batch, seed);
                w[i] = saved;
                double numeric = (up - down) / (2 * eps);
                Assert.True(Math.Abs(numeric - g[i]) <= (0.03 * Math.Abs(g[i])) + 2e-4,
                    $"{name}[{i}]: analytic {g[i]:E3}, numeric {numeric:E3}");
            }
        }
    }

    [Fact]
    public void A_resumed_run_with_dropout_draws_the_same_masks()
    {
        List<TrainingSequence> rows = [.. Rows(1), .. Rows(2), .. Rows(3)];
        var options = new TrainerOptions
        {
            Steps = 8,
            BatchSize = 3,
            WarmupSteps = 2,
            LearningRate = 1e-2,
            Seed = 5,
            Dropout = 0.2f,
        };
        var straight = new Trainer(TrainableDecoder.Random(Config, 1), rows, options);
        var expected = Enumerable.Range(0, 8).Select(_ => straight.TrainStep().Loss).ToList();

        var first = new Trainer(TrainableDecoder.Random(Config, 1), rows, options);
        var losses = Enumerable.Range(0, 4).Select(_ => first.TrainStep().Loss).ToList();
        using var dir = new PaDeLLM.Tests.TempDir();
        first.SaveCheckpoint(dir.Path);
        Trainer resumed = Trainer.Resume(dir.Path, rows, options);
        losses.AddRange(Enumerable.Range(0, 4).Select(_ => resumed.TrainStep().Loss));
        Assert.Equal(expected, losses);

        var without = new Trainer(TrainableDecoder.Random(Config, 1), rows, options with { Dropout = 0 });
        Assert.NotEqual(expected[0], without.TrainStep().Loss);
    }
}
