using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Numerics;
using PaDeLLM.Training;

namespace PaDeLLM.Bench;

/// <summary>
/// Training steps of the shipped model's shape (hidden 256, 4 layers, vocabulary 2,000; 16 rows ×
/// 96 tokens), ours against PyTorch (Debian's python3-torch, <c>bench/train_peer.py</c>) on the same
/// weights and batch, in one run: the first step's gradients are compared, then full steps
/// (forward, backward, clipping, AdamW) are timed on both, with the same number of threads.
/// </summary>
internal static class TrainingBenchmark
{
    private const int Rows = 16, Length = 96, Steps = 10;

    public static int Run(string[] args, string? outDir)
    {
        string python = BenchArgs.Get(args, "--python") ?? "/usr/bin/python3";
        string script = Path.GetFullPath(BenchArgs.Get(args, "--peer") ?? Path.Combine("bench", "train_peer.py"));
        int threads = Environment.ProcessorCount;
        ModelConfig config = BenchModels.Shipped(vocab: 2000);
        var model = TrainableDecoder.Random(config, 1);
        var rng = new Random(2);
        int[][] tokens = Enumerable.Range(0, Rows)
            .Select(_ => Enumerable.Range(0, Length).Select(_ => rng.Next(config.VocabSize)).ToArray()).ToArray();
        List<TrainingSequence> batch = tokens
            .Select(t => TrainingSequence.Causal(t, Enumerable.Range(0, Length).Select(i => i < Length - 1).ToArray()))
            .ToList();

        string dir = Directory.CreateTempSubdirectory("padellm-train-bench-").FullName;
        try
        {
            model.Save(dir, DType.F32, config.ToJson());
            File.WriteAllText(Path.Combine(dir, "batch.json"),
                new JsonObject { ["tokens"] = JsonSerializer.SerializeToNode(tokens) }.ToJsonString());

            // The first step's loss and gradients, ours.
            model.ZeroGradients();
            double loss = model.ForwardBackward(batch);

            // The peer: same weights and batch, its gradients to compare, then its timed steps.
            var psi = new ProcessStartInfo(python, [script, dir, Steps.ToString(CultureInfo.InvariantCulture),
                threads.ToString(CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process peer = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
            string stdout = peer.StandardOutput.ReadToEnd(), stderr = peer.StandardError.ReadToEnd();
            peer.WaitForExit();
            if (peer.ExitCode != 0)
            {
                Console.Error.WriteLine($"the peer failed ({python} {script}; is python3-torch installed?):\n{stderr}");
                return 1;
            }

            JsonNode result = JsonNode.Parse(stdout.Trim().Split('\n')[^1])!;
            (double maxAbs, double maxRel, string worst) = CompareGradients(model, Path.Combine(dir, "peer_grads.bin"));

            // Ours, timed as the trainer runs: every step the same 16 rows.
            var trainer = new Trainer(model, batch, new TrainerOptions { Steps = Steps + 2, BatchSize = Rows });
            trainer.TrainStep();
            trainer.TrainStep();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < Steps; i++)
            {
                trainer.TrainStep();
            }

            double ours = Steps * Rows * Length / sw.Elapsed.TotalSeconds;
            double theirs = (double)result["tokens_per_s"]!;
            string report = string.Create(CultureInfo.InvariantCulture, $"""
                # Training benchmark: ours against PyTorch on the shipped model's shape

                Command: `dotnet run -c Release --project bench/Bench -- training` (DOTNET_PROCESSOR_COUNT sets the
                threads of both); {DateTime.UtcNow:yyyy-MM-dd}; {Environment.ProcessorCount} thread(s) each.
                Model: Llama, hidden 256, 4 layers, 4 heads, MLP 688, vocabulary 2,000, tied embeddings
                ({model.Parameters.Values.Sum(p => (long)p.Length) / 1e6:F2}M parameters), random weights; batch
                {Rows} rows × {Length} tokens, next-token loss on every position. A step: forward, backward,
                gradient clipping at norm 1, AdamW. {Steps} steps timed after 2 warm-up steps.

                | trainer | version, BLAS | threads | tokens/s | s/step | ours / peer |
                |---|---|---|---|---|---|
                | ours (src/Training) | .NET {Environment.Version} | {threads} | {ours:F0} | {Rows * Length
                    / ours:F3} | **{ours / theirs:F2}×** |
                | PyTorch (Debian python3-torch) | {result["torch"]}, {result["blas"]} | {result[
                    "threads"]} | {theirs:F0} | {(double)result["seconds_per_step"]!:F3} | 1.00× |

                First step, same weights and batch: loss ours {loss:F6}, PyTorch {(double)result["loss"]!:F6};
                gradients max |ours − PyTorch| {maxAbs:E2}, max relative {maxRel:E2} (at {worst}).
                """);
            Console.WriteLine(report);
            if (outDir is not null)
            {
                Directory.CreateDirectory(outDir);
                File.WriteAllText(Path.Combine(outDir, $"training-{threads}t.md"), report);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Largest absolute and relative (to the tensor's largest entry) gradient difference.</summary>
    private static (double Abs, double Rel, string Where) CompareGradients(TrainableDecoder model, string peerFile)
    {
        byte[] bytes = File.ReadAllBytes(peerFile);
        int offset = 0;
        (double abs, double rel, string where) = (0, 0, "");
        foreach (string name in model.Gradients.Keys.Order(StringComparer.Ordinal))
        {
            float[] ours = model.Gradients[name];
            ReadOnlySpan<float> theirs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(
                bytes.AsSpan(offset, ours.Length * sizeof(float)));
            offset += ours.Length * sizeof(float);
            double scale = 0, worst = 0;
            for (int i = 0; i < ours.Length; i++)
            {
                scale = Math.Max(scale, Math.Abs(theirs[i]));
                worst = Math.Max(worst, Math.Abs(ours[i] - theirs[i]));
            }

            abs = Math.Max(abs, worst);
            if (scale > 0 && worst / scale > rel)
            {
                (rel, where) = (worst / scale, name);
            }
        }

        return (abs, rel, where);
    }
}
