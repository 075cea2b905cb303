using System.Text.Json;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Training.Tests;

/// <summary>Loss, gradients and AdamW against PyTorch's numbers (golden.json) for both fixture models.</summary>
public class TrainingParityTests
{
    private static string ModelDir(string name) => Path.Combine(SharedData.Fixtures, "models", name);

    private static (List<TrainingSequence> Batch, JsonElement Golden, JsonDocument Doc) Batch(string name)
    {
        JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ModelDir(name), "golden.json")));
        JsonElement g = doc.RootElement;
        var ids = g.GetProperty("input_ids").EnumerateArray()
            .Select(s => s.EnumerateArray().Select(t => t.GetInt32()).ToArray()).ToList();
        var masks = g.GetProperty("loss_mask").EnumerateArray()
            .Select(s => s.EnumerateArray().Select(m => m.GetDouble() > 0).ToArray()).ToList();
        var batch = ids.Select((tokens, i) => TrainingSequence.Causal(tokens, [.. masks[i], false])).ToList();
        return (batch, g, doc);
    }

    public static TheoryData<string> Models() => new("llama-tiny", "qwen2-tiny-tied-bf16");

    [SharedDataTheory]
    [MemberData(nameof(Models))]
    public void Loss_and_every_gradient_match_pytorch(string name)
    {
        var (batch, golden, doc) = Batch(name);
        using (doc)
        {
            TrainableDecoder model = TrainableDecoder.Load(ModelDir(name));
            double loss = model.ForwardBackward(batch);
            Assert.True(Math.Abs(loss - golden.GetProperty("loss").GetDouble()) <= 1e-5,
                $"loss {loss} vs {golden.GetProperty("loss").GetDouble()}");

            JsonElement grads = golden.GetProperty("grads");
            int checkedTensors = 0;
            foreach (JsonProperty p in grads.EnumerateObject())
            {
                float[] expected = p.Value.GetProperty("values").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                float[] actual = model.Gradients[p.Name];
                Assert.Equal(expected.Length, actual.Length);
                double max = expected.Max(Math.Abs), worst = 0;
                for (int i = 0; i < expected.Length; i++)
                {
                    worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
                }

                Assert.True(worst <= 1e-3 * max, $"{p.Name}: max |grad - golden| {worst:E2} > 1e-3 × {max:E2}");
                checkedTensors++;
            }

            Assert.Equal(model.Parameters.Count, checkedTensors); // every parameter has a golden gradient
        }
    }

    [SharedDataTheory]
    [MemberData(nameof(Models))]
    public void Ten_adamw_steps_follow_pytorchs_losses(string name)
    {
        var (batch, golden, doc) = Batch(name);
        using (doc)
        {
            JsonElement a = golden.GetProperty("adamw");
            double[] expected = a.GetProperty("losses").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            TrainableDecoder model = TrainableDecoder.Load(ModelDir(name));
            var optimizer = new AdamW(a.GetProperty("beta1").GetDouble(), a.GetProperty("beta2").GetDouble(),
                a.GetProperty("eps").GetDouble(), a.GetProperty("weight_decay").GetDouble());
            for (int step = 0; step < expected.Length; step++)
            {
                model.ZeroGradients();
                double loss = model.ForwardBackward(batch);
                Assert.True(Math.Abs(loss - expected[step]) <= 1e-4, $"step {step}: loss {loss} vs {expected[step]}");
                optimizer.Update(model.Parameters, model.Gradients, a.GetProperty("lr").GetDouble());
            }
        }
    }
}

/// <summary>
/// Prefix-shared training: one packed tree row has exactly the loss and gradients of its examples trained one by one.
/// </summary>
public class PrefixTreePackingTests
{
    [SharedDataTheory]
    [InlineData("llama-tiny", 0.0)]
    [InlineData("qwen2-tiny-tied-bf16", 0.0)]
    [InlineData("llama-tiny", 0.5)]
    public void A_packed_padellm_tree_has_the_loss_and_gradients_of_its_examples(string name, double promptWeight)
    {
        // One sentence's PaDeLLM examples: shared text, a branch per label, and for labels with
        // mentions a shared count then a branch per mention; loss from the count token on.
        var rng = new Random(3);
        int[] R(int n) => Enumerable.Range(0, n).Select(_ => rng.Next(3, 300)).ToArray();
        int[] text = R(14);
        var examples = new List<(int[], bool[])>();
        foreach (int mentions in new[] { 0, 2, 1, 3 })
        {
            int[] prompt = [.. text, .. R(3)];
            if (mentions == 0)
            {
                examples.Add(Example(prompt, [7, 2]));
                continue;
            }

            int[] count = [10 + mentions, 13];
            for (int k = 1; k <= mentions; k++)
            {
                examples.Add(Example(prompt, [.. count, 60, 60 + k, .. R(3), 2]));
            }
        }

        // With a prompt loss, each example's prompt tokens predict their next token with 1/n of the
        // sentence's weight (PackedExamples.Pack), which the packed tree sums back on the shared text.
        var weighted = examples.Select(e =>
        {
            int targetStart = Array.IndexOf(e.Item2, true);
            return (e.Item1, e.Item2.Select((p, t) => p ? 1f : t < targetStart ? (float)promptWeight / examples.Count
                : 0f).ToArray());
        }).ToList();
        TrainableDecoder unpacked = TrainableDecoder.Load(Path.Combine(SharedData.Fixtures, "models", name));
        double lossUnpacked =
            unpacked.ForwardBackward(weighted.Select(e => TrainingSequence.Causal(e.Item1, e.Item2)).ToList());
        TrainableDecoder packed = TrainableDecoder.Load(Path.Combine(SharedData.Fixtures, "models", name));
        TrainingSequence tree = PrefixTreePacker.Pack(weighted);
        int[] textNodes = Enumerable.Range(0, text.Length).ToArray(); // the shared text packs first, one node per token
        Assert.All(textNodes[..^1], t => Assert.Equal(promptWeight, tree.Targets[t].Sum(x => x.Weight), 5));
        double lossPacked = packed.ForwardBackward([tree]);

        // One packed token per distinct prefix of the examples (here 67 tokens for 169 unpacked).
        int distinctPrefixes =
            examples.SelectMany(e => Enumerable.Range(1, e.Item1.Length).Select(n => string.Join(',', e.Item1[..n])))
            .Distinct().Count();
        Assert.Equal(distinctPrefixes, tree.Length);
        Assert.True(tree.Length * 2 < examples.Sum(e => e.Item1.Length));
        Assert.Equal(lossUnpacked, lossPacked, 5);
        foreach ((string param, float[] g) in unpacked.Gradients)
        {
            float[] p = packed.Gradients[param];
            double max = g.Max(Math.Abs), worst = g.Zip(p).Max(x => Math.Abs(x.First - x.Second));
            Assert.True(worst <= 1e-4 * Math.Max(max, 1e-6), $"{param}: {worst:E2} vs max {max:E2}");
        }
    }

    [SharedDataTheory]
    [InlineData("llama-tiny")]
    [InlineData("qwen2-tiny-tied-bf16")]
    public void A_batch_run_as_one_tensor_has_the_loss_and_gradients_of_its_rows_run_alone(string name)
    {
        // Rows of different lengths and shapes (a tree and plain sequences): the batched pass
        // shares every projection's GEMM across rows, and each row must still see only itself.
        var rng = new Random(11);
        int[] R(int n) => Enumerable.Range(0, n).Select(_ => rng.Next(3, 300)).ToArray();
        int[] text = R(9);
        TrainingSequence tree =
            PrefixTreePacker.Pack([Example([.. text, 5], [7, 2]), Example([.. text, 6], [11, 13, 60, 61, 2]),
            Example([.. text, 6], [11, 13, 60, 62, 9, 2])]);
        TrainingSequence[] rows =
            [TrainingSequence.Causal(R(23), [.. Enumerable.Range(0, 23).Select(t => t >= 5 && t < 22)]), tree,
            TrainingSequence.Causal(R(4), [true, true, true, false])];
        string dir = Path.Combine(SharedData.Fixtures, "models", name);

        TrainableDecoder batched = TrainableDecoder.Load(dir);
        double batchLoss = batched.ForwardBackward(rows);
        double total = rows.Sum(r => r.TotalWeight), summed = 0;
        var expected = batched.Gradients.ToDictionary(g => g.Key, g => new double[g.Value.Length]);
        foreach (TrainingSequence row in rows)
        {
            TrainableDecoder alone = TrainableDecoder.Load(dir);
            summed += alone.ForwardBackward([row]) * row.TotalWeight;
            foreach ((string param, float[] g) in alone.Gradients)
            {
                for (int i = 0; i < g.Length; i++)
                {
                    // each row's mean loss, re-weighted to the batch mean
                    expected[param][i] += g[i] * row.TotalWeight / total;
                }
            }
        }

        Assert.Equal(summed / total, batchLoss, 5);
        foreach ((string param, double[] g) in expected)
        {
            float[] actual = batched.Gradients[param];
            double max = g.Max(Math.Abs), worst = g.Zip(actual).Max(x => Math.Abs(x.First - x.Second));
            Assert.True(worst <= 1e-4 * Math.Max(max, 1e-6), $"{param}: {worst:E2} vs max {max:E2}");
        }
    }

    // prompt + target; the loss covers the target (from the last prompt token, which predicts its first token).
    private static (int[], bool[]) Example(int[] prompt, int[] target)
    {
        int[] tokens = [.. prompt, .. target];
        bool[] predict = tokens.Select((_, t) => t >= prompt.Length - 1 && t < tokens.Length - 1).ToArray();
        return (tokens, predict);
    }
}

public class TrainingUtilityTests
{
    [Fact]
    public void Schedule_warms_up_linearly_then_decays_by_cosine_to_the_floor()
    {
        var s = new LearningRateSchedule(1e-3, WarmupSteps: 10, TotalSteps: 110, MinRatio: 0.1);
        Assert.Equal(1e-4, s.At(0), 12);
        Assert.Equal(1e-3, s.At(9), 12);
        Assert.Equal(1e-3, s.At(10), 12);
        Assert.Equal(0.55e-3, s.At(60), 12); // half way: the mean of peak and floor
        Assert.Equal(1e-4, s.At(110), 12);
        Assert.Equal(1e-4, s.At(500), 12);
    }

    [Fact]
    public void Clipping_scales_every_gradient_to_the_global_norm()
    {
        var g = new Dictionary<string, float[]> { ["a"] = [3, 0], ["b"] = [0, 4] };
        Assert.Equal(5, GradientClipping.ClipGlobalNorm(g, 1), 6);
        Assert.Equal(0.6f, g["a"][0], 4);
        Assert.Equal(0.8f, g["b"][1], 4);
        Assert.Equal(1, GradientClipping.ClipGlobalNorm(g, 10), 4); // under the limit: untouched
        Assert.Equal(0.6f, g["a"][0], 4);
    }

    [SharedDataTheory]
    [InlineData(PaDeLLM.Model.Numerics.DType.F32, 1e-4)]
    [InlineData(PaDeLLM.Model.Numerics.DType.BF16, 5e-2)]
    public void A_saved_checkpoint_loads_in_the_inference_engine_with_the_trained_weights(
        PaDeLLM.Model.Numerics.DType type, double tolerance)
    {
        string source = Path.Combine(SharedData.Fixtures, "models", "llama-tiny");
        TrainableDecoder model = TrainableDecoder.Load(source);
        int[] tokens = [1, 5, 17, 42, 99, 7];
        var seq = TrainingSequence.Causal(tokens, [true, true, true, true, true, false]);
        var optimizer = new AdamW();
        for (int i = 0; i < 3; i++)
        {
            model.ZeroGradients();
            model.ForwardBackward([seq]);
            optimizer.Update(model.Parameters, model.Gradients, 1e-2);
        }

        using var dir = new TempDir();
        model.Save(dir.Path, type, File.ReadAllText(Path.Combine(source, "config.json")));
        using var engine = PaDeLLM.Model.Decoder.DecoderModel.Load(dir.Path);
        float[] logits = engine.Forward([new PaDeLLM.Model.Decoder.Segment(engine.NewCache().CreateRoot(), tokens)]);

        // The trained model's own next-token loss on the last position, computed both ways.
        var probe = new TrainingSequence(tokens, Enumerable.Range(0, tokens.Length).ToArray(),
            PaDeLLM.Training.Layers.AttentionLayer.Causal(tokens.Length),
            tokens.Select((_, t) => t == tokens.Length - 1 ? new[] { (3, 1f) } : []).ToArray());
        model.ZeroGradients();
        double trainerLoss = model.ForwardBackward([probe]);
        double engineLoss = -PaDeLLM.Model.Kernels.Sampling.LogSoftmaxAt(logits, 3);
        Assert.Equal(trainerLoss, engineLoss, tolerance);
        using var original = PaDeLLM.Model.Decoder.DecoderModel.Load(source);
        float[] before = original.Forward(
            [new PaDeLLM.Model.Decoder.Segment(original.NewCache().CreateRoot(), tokens)]);
        Assert.NotEqual(before[3], logits[3]); // the weights really changed
    }
}

public class TrainerResumeTests
{
    [Fact]
    public void A_resumed_run_continues_bit_for_bit()
    {
        var config = TinyLlama.Config;
        (List<TrainingSequence> rows, TrainerOptions options) = Rows();

        var straight = new Trainer(TrainableDecoder.Random(config, 1), rows, options);
        var straightLosses = Enumerable.Range(0, 12).Select(_ => straight.TrainStep().Loss).ToList();

        var first = new Trainer(TrainableDecoder.Random(config, 1), rows, options);
        var losses = Enumerable.Range(0, 6).Select(_ => first.TrainStep().Loss).ToList();
        using var dir = new TempDir();
        first.SaveCheckpoint(dir.Path);
        Trainer resumed = Trainer.Resume(dir.Path, rows, options);
        Assert.Equal(6, resumed.Step);
        losses.AddRange(Enumerable.Range(0, 6).Select(_ => resumed.TrainStep().Loss));

        Assert.Equal(straightLosses, losses);
        Assert.True(resumed.Done);
        foreach ((string name, float[] p) in straight.Model.Parameters)
        {
            Assert.True(p.AsSpan().SequenceEqual(resumed.Model.Parameters[name]), name);
        }

        Assert.Contains("rows",
            Assert.Throws<PaDeLLM.Model.Checkpoints.CheckpointException>(() =>
            Trainer.Resume(dir.Path, rows.Take(5).ToList(), options)).Message);
    }

    [Fact]
    public void A_checkpoint_cut_short_by_a_crash_resumes_whole_never_torn()
    {
        (List<TrainingSequence> rows, TrainerOptions options) = Rows();
        var trainer = new Trainer(TrainableDecoder.Random(TinyLlama.Config, 1), rows, options);
        trainer.TrainStep();
        trainer.TrainStep();
        using var dir = new TempDir();
        trainer.SaveCheckpoint(dir.Path);
        trainer.TrainStep();
        float[] atStep3 = (float[])trainer.Model.Parameters["model.norm.weight"].Clone();

        // Killed while writing step 3's files (its state not yet written): step 2's checkpoint stands.
        trainer.WritePendingCheckpoint(dir.Path);
        File.Delete(Path.Combine(dir.Path, "trainer_state.json.pending"));
        Trainer resumed = Trainer.Resume(dir.Path, rows, options);
        Assert.Equal(2, resumed.Step);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.pending"));

        // Killed among the renames (the weights moved, the moments and the state not): rolled forward.
        trainer.WritePendingCheckpoint(dir.Path);
        File.Move(
            Path.Combine(dir.Path, "model.safetensors.pending"), Path.Combine(dir.Path, "model.safetensors"), true);
        resumed = Trainer.Resume(dir.Path, rows, options);
        Assert.Equal(3, resumed.Step);
        Assert.Equal(atStep3, resumed.Model.Parameters["model.norm.weight"]);
        Assert.Equal(trainer.TrainStep().Loss, resumed.TrainStep().Loss);

        // Weights and state of different steps (files mixed by hand) are refused, not resumed.
        File.Copy(Path.Combine(dir.Path, "trainer_state.json"), Path.Combine(dir.Path, "state-3.json"));
        trainer.SaveCheckpoint(dir.Path);
        File.Copy(Path.Combine(dir.Path, "state-3.json"), Path.Combine(dir.Path, "trainer_state.json"), true);
        var torn = Assert.Throws<PaDeLLM.Model.Checkpoints.CheckpointException>(
            () => Trainer.Resume(dir.Path, rows, options));
        Assert.Contains("model.safetensors holds step 4 but trainer_state.json step 3", torn.Message);
    }

    private static (List<TrainingSequence> Rows, TrainerOptions Options) Rows()
    {
        var rng = new Random(5);
        var rows = Enumerable.Range(0, 10).Select(_ =>
        {
            int[] t = Enumerable.Range(0, 12).Select(_ => rng.Next(60)).ToArray();
            return TrainingSequence.Causal(t, t.Select((_, i) => i >= 4).ToArray());
        }).ToList();
        return (rows, new TrainerOptions { Steps = 12, BatchSize = 3, WarmupSteps = 3, LearningRate = 1e-2, Seed = 9 });
    }
}
