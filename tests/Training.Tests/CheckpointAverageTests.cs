using Xunit;

namespace PaDeLLM.Training.Tests;

public class CheckpointAverageTests
{
    [Fact]
    public void The_average_is_each_weights_mean_whatever_the_order()
    {
        TrainableDecoder a = TrainableDecoder.Random(TinyLlama.Config, seed: 1);
        TrainableDecoder b = TrainableDecoder.Random(TinyLlama.Config, seed: 2);
        TrainableDecoder c = TrainableDecoder.Random(TinyLlama.Config, seed: 3);
        TrainableDecoder abc = CheckpointAverage.Of([a, b, c]);
        TrainableDecoder cab = CheckpointAverage.Of([c, a, b]);
        Assert.Equal(a.Parameters.Keys.Order(), abc.Parameters.Keys.Order());
        foreach ((string name, float[] mean) in abc.Parameters)
        {
            for (int i = 0; i < mean.Length; i++)
            {
                double expected = ((double)a.Parameters[name][i] + b.Parameters[name][i] + c.Parameters[name][i]) / 3;
                Assert.Equal((float)expected, mean[i]);
            }

            Assert.Equal(mean, cab.Parameters[name]);
            Assert.Equal(a.Shapes[name], abc.Shapes[name]);
        }

        // One model averages to itself.
        Assert.Equal(a.Parameters["model.norm.weight"], CheckpointAverage.Of([a]).Parameters["model.norm.weight"]);
    }

    [Fact]
    public void Models_of_different_shapes_are_refused_naming_the_tensor()
    {
        TrainableDecoder a = TrainableDecoder.Random(TinyLlama.Config, seed: 1);
        TrainableDecoder wider = TrainableDecoder.Random(
            TinyLlama.Config with { IntermediateSize = TinyLlama.Config.IntermediateSize * 2 }, seed: 1);
        var e = Assert.Throws<FormatException>(() => CheckpointAverage.Of([a, wider], ["run-a", "run-b"]));
        Assert.Contains("run-b: tensor model.layers.0.mlp", e.Message);
        Assert.Contains("only models of one shape average", e.Message);
    }
}
