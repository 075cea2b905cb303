using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Training;

/// <summary>
/// The training loop: shuffled epochs over packed rows, AdamW with warm-up and cosine decay,
/// global-norm clipping. A checkpoint holds the weights, the optimizer's moments, the step, the
/// data position and the generator state, so a resumed run continues bit for bit.
/// </summary>
public sealed class Trainer
{
    private const string ModelFile = "model.safetensors", OptimizerFile = "optimizer.safetensors";
    private const string StateFile = "trainer_state.json", Pending = ".pending";
    private readonly IReadOnlyList<TrainingSequence> _rows;
    private readonly LearningRateSchedule _schedule;
    private SplitMix64 _rng;
    private int[] _order;
    private int _position;

    public Trainer(TrainableDecoder model, IReadOnlyList<TrainingSequence> rows, TrainerOptions options)
    {
        if (rows.Count == 0)
        {
            throw new ArgumentException("no training rows", nameof(rows));
        }

        Model = model;
        Options = options;
        _rows = rows;
        _schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, options.Steps,
            options.MinLearningRateRatio);
        Optimizer = new AdamW(options.Beta1, options.Beta2, 1e-8, options.WeightDecay);
        _rng = new SplitMix64(options.Seed);
        _order = _rng.Permutation(rows.Count);
    }

    public TrainableDecoder Model { get; }

    public TrainerOptions Options { get; }

    public AdamW Optimizer { get; }

    public int Step => Optimizer.Step;

    public bool Done => Step >= Options.Steps;

    /// <summary>One optimizer step; returns (loss, tokens processed, seconds).</summary>
    public (double Loss, long Tokens, double Seconds) TrainStep()
    {
        var sw = Stopwatch.StartNew();
        var batch = new List<TrainingSequence>(Options.BatchSize);
        for (int i = 0; i < Options.BatchSize; i++)
        {
            if (_position == _order.Length)
            {
                _order = _rng.Permutation(_rows.Count);
                _position = 0;
            }

            batch.Add(_rows[_order[_position++]]);
        }

        Model.ZeroGradients();
        Model.Dropout = Options.Dropout;
        // The masks hang on the seed and the step alone, so a resumed run draws the same ones.
        double loss = Model.ForwardBackward(batch, new SplitMix64(Options.Seed ^ ((ulong)Step << 32)).Next());
        GradientClipping.ClipGlobalNorm(Model.Gradients, Options.ClipNorm);
        Optimizer.Update(Model.Parameters, Model.Gradients, _schedule.At(Step));
        return (loss, batch.Sum(b => (long)b.Length), sw.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Writes model.safetensors (F32 master weights), config.json, optimizer.safetensors and
    /// trainer_state.json. Crash-safe: the three files are written whole under a ".pending" name,
    /// the state last, then renamed into place; a run killed among the renames is rolled forward by
    /// <see cref="Resume"/> (the pending state's presence says every pending file was complete), one
    /// killed while writing keeps its previous checkpoint.
    /// </summary>
    public void SaveCheckpoint(string directory)
    {
        WritePendingCheckpoint(directory);
        CommitPendingCheckpoint(directory);
    }

    internal void WritePendingCheckpoint(string directory)
    {
        var step = new Dictionary<string, string> { ["step"] = Step.ToString(CultureInfo.InvariantCulture) };
        Model.Save(directory, DType.F32, Model.Config.ToJson(), ModelFile + Pending, step);
        var moments = new SafetensorsWriter().AddMetadata("step", step["step"]);
        foreach ((string name, (float[] m, float[] v)) in Optimizer.State.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            moments.AddSingle("m." + name, [m.Length], m).AddSingle("v." + name, [v.Length], v);
        }

        moments.Save(Path.Combine(directory, OptimizerFile + Pending));
        var state = new JsonObject
        {
            ["step"] = Step,
            ["rng_state"] = _rng.State.ToString(CultureInfo.InvariantCulture),
            ["data_position"] = _position,
            ["data_order"] = new JsonArray(_order.Select(i => (JsonNode)i).ToArray()),
            ["rows"] = _rows.Count,
        };
        File.WriteAllText(Path.Combine(directory, StateFile + Pending),
            state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Renames a complete pending checkpoint into place, the state last; drops an incomplete one.</summary>
    internal static void CommitPendingCheckpoint(string directory)
    {
        string[] files = [ModelFile, OptimizerFile, StateFile];
        bool complete = File.Exists(Path.Combine(directory, StateFile + Pending));
        foreach (string file in files)
        {
            string pending = Path.Combine(directory, file + Pending);
            if (!File.Exists(pending))
            {
                continue; // already renamed before a crash, or never written
            }

            if (complete)
            {
                File.Move(pending, Path.Combine(directory, file), overwrite: true);
            }
            else
            {
                File.Delete(pending);
            }
        }
    }

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/> over the same rows and options.</summary>
    public static Trainer Resume(string directory, IReadOnlyList<TrainingSequence> rows, TrainerOptions options)
    {
        CommitPendingCheckpoint(directory);
        string statePath = Path.Combine(directory, StateFile);
        if (!File.Exists(statePath))
        {
            throw new CheckpointException($"{directory}: no trainer_state.json to resume from");
        }

        JsonNode state = JsonNode.Parse(File.ReadAllText(statePath))!;
        if ((int)state["rows"]! != rows.Count)
        {
            throw new CheckpointException($"{statePath}: the checkpoint was trained on {(int)state["rows"]!} "
                + $"rows, not {rows.Count}");
        }

        // A torn checkpoint is refused before its weights are read.
        EnsureStep(Path.Combine(directory, ModelFile), (int)state["step"]!);
        var trainer = new Trainer(TrainableDecoder.Load(directory), rows, options);
        using (var moments = SafetensorsFile.Open(Path.Combine(directory, OptimizerFile)))
        {
            EnsureStep(moments, Path.Combine(directory, OptimizerFile), (int)state["step"]!);
            var restored = trainer.Model.Parameters.Keys.ToDictionary(n => n,
                n => (moments.ReadSingle("m." + n), moments.ReadSingle("v." + n)));
            trainer.Optimizer.Restore(restored, (int)state["step"]!);
        }

        trainer._rng = new SplitMix64(ulong.Parse((string)state["rng_state"]!, CultureInfo.InvariantCulture));
        trainer._order = state["data_order"]!.AsArray().Select(i => (int)i!).ToArray();
        trainer._position = (int)state["data_position"]!;
        return trainer;
    }

    // Files from before checkpoints carried their step have none: nothing to compare.
    private static void EnsureStep(string path, int step)
    {
        using var file = SafetensorsFile.Open(path);
        EnsureStep(file, path, step);
    }

    private static void EnsureStep(SafetensorsFile file, string path, int step)
    {
        string expected = step.ToString(CultureInfo.InvariantCulture);
        if (file.Metadata.TryGetValue("step", out string? saved) && saved != expected)
        {
            throw new CheckpointException(
                $"{path} holds step {saved} but trainer_state.json step {step}: a torn checkpoint, not resumable");
        }
    }
}
