using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// <c>padellm model logits</c>, <c>generate</c>, <c>export</c> and <c>grow</c> on any HF-layout checkpoint directory.
/// </summary>
internal static class ModelCommands
{
    public static Command Create(CliContext ctx) =>
        new("model", "Run a Llama/Qwen2/Mistral checkpoint directly on token ids; export or grow one")
    {
        Logits(ctx), Generate(ctx), Export(ctx), Grow(ctx),
    };

    /// <summary>
    /// <c>padellm model export --model DIR [--model DIR…] --out DIR [--dtype bf16|f32]</c>: a model directory
    /// for shipping (weights, config, tokenizer, labels); several models give their weights' mean.
    /// </summary>
    private static Command Export(CliContext ctx)
    {
        var models = new Option<string[]>("--model")
        {
            Description = "checkpoint directory; given more than once, the models' weights are averaged "
                + "(checkpoint averaging: one shape, one tokenizer)",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out") { Description = "directory to write", Required = true };
        var dtype = new Option<string>("--dtype")
        {
            Description = "bf16 (half the size) or f32",
            DefaultValueFactory = _ => "bf16",
        }.AcceptOnlyFromAmong("bf16", "f32");
        var command = new Command("export",
            "Write a model directory with the weights in BF16 or F32, its tokenizer and labels (no optimizer state)")
        {
            models, output, dtype,
        };
        command.SetAction(r =>
        {
            string[] from = r.GetValue(models)!;
            string to = r.GetValue(output)!;
            if (from.Any(f => Path.GetFullPath(f) == Path.GetFullPath(to)))
            {
                throw new UsageException("--out must differ from --model");
            }

            foreach (string other in from.Skip(1))
            {
                if (!File.ReadAllBytes(Path.Combine(other, "tokenizer.json"))
                    .SequenceEqual(File.ReadAllBytes(Path.Combine(from[0], "tokenizer.json"))))
                {
                    throw new UsageException(
                        $"--model {other}: its tokenizer.json differs from {from[0]}'s; "
                        + "only models of one tokenizer average");
                }
            }

            // A soup is read one way: models trained to read their text bidirectionally and causally do not mix.
            string[] mixed = from.Where(f => Model.Checkpoints.ModelConfig.Load(f).BidirectionalText
                != Model.Checkpoints.ModelConfig.Load(from[0]).BidirectionalText).ToArray();
            if (mixed.Length > 0)
            {
                throw new UsageException($"--model {mixed[0]}: it reads its text "
                    + (Model.Checkpoints.ModelConfig.Load(mixed[0]).BidirectionalText ? "bidirectionally" : "causally")
                    + $" and {from[0]} does not (bidirectional_text); only models that read alike average");
            }

            bool bf16 = r.GetValue(dtype) == "bf16";
            Training.TrainableDecoder decoder = from.Length == 1
                ? Training.TrainableDecoder.Load(from[0])
                : Training.CheckpointAverage.Of(from.Select(Training.TrainableDecoder.Load).ToList(), from);
            JsonNode config = JsonNode.Parse(File.ReadAllText(Path.Combine(from[0], "config.json")))!;
            config["torch_dtype"] = bf16 ? "bfloat16" : "float32";
            decoder.Save(to, bf16 ? Model.Numerics.DType.BF16 : Model.Numerics.DType.F32,
                config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            CopyTokenizerAndLabels(from[0], to);

            long bytes = new FileInfo(Path.Combine(to, "model.safetensors")).Length;
            string averaged = from.Length == 1 ? "" : $" (the mean of {from.Length} models' weights)";
            ctx.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{decoder.Parameters.Values.Sum(p => (long)p.Length) / 1e6:F1}M parameters{averaged}"
                + $" -> {to} ({(bf16 ? "BF16" : "F32")}, {bytes / 1e6:F1} MB)"));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// <c>padellm model grow --model DIR --out DIR [--hidden H] [--heads N] [--intermediate F] [--layers L]</c>:
    /// the model widened and deepened into one that computes the same function (<see cref="Training.ModelGrowth"/>),
    /// written in F32 with its tokenizer and labels, to train on with <c>padellm train --init</c>.
    /// </summary>
    private static Command Grow(CliContext ctx)
    {
        var model = ModelOption();
        var output = new Option<string>("--out") { Description = "directory to write", Required = true };
        Option<int?> Size(string name, string what) => new(name) { Description = $"{what} (default: the model's)" };
        var hidden = Size("--hidden", "hidden size");
        var heads = Size("--heads", "attention heads, of the model's head size");
        var intermediate = Size("--intermediate", "MLP size");
        var layers = Size("--layers", "layers; new ones are copies of the one before that start as the identity");
        var seed = new Option<int>("--seed")
        {
            Description = "seed of the small random weights that read the new dimensions",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("grow",
            "Widen and deepen a model into one that computes the same function, to train further (F32)")
        {
            model, output, hidden, heads, intermediate, layers, seed,
        };
        command.SetAction(r =>
        {
            string from = r.GetValue(model)!, to = r.GetValue(output)!;
            if (Path.GetFullPath(from) == Path.GetFullPath(to))
            {
                throw new UsageException("--out must differ from --model");
            }

            Training.TrainableDecoder source = Training.TrainableDecoder.Load(from);
            Model.Checkpoints.ModelConfig c = source.Config;
            Training.TrainableDecoder grown;
            try
            {
                grown = Training.ModelGrowth.Grow(source, r.GetValue(hidden) ?? c.HiddenSize,
                    r.GetValue(heads) ?? c.Heads, r.GetValue(intermediate) ?? c.IntermediateSize,
                    r.GetValue(layers) ?? c.Layers, r.GetValue(seed));
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--model {from}: {e.Message}");
            }

            grown.Save(to, Model.Numerics.DType.F32, grown.Config.ToJson());
            CopyTokenizerAndLabels(from, to);

            static double Millions(Training.TrainableDecoder d) => d.Parameters.Values.Sum(p => (long)p.Length) / 1e6;
            ctx.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Millions(source):F1}M -> {Millions(grown):F1}M parameters: hidden {c.HiddenSize} -> "
                + $"{grown.Config.HiddenSize}, heads {c.Heads} -> {grown.Config.Heads}, MLP {c.IntermediateSize} -> "
                + $"{grown.Config.IntermediateSize}, layers {c.Layers} -> {grown.Config.Layers}; "
                + $"written to {to} (F32)"));
            return 0;
        });
        return command;
    }

    /// <summary>What a model directory holds besides weights and config: the tokenizer's files, the labels.</summary>
    private static void CopyTokenizerAndLabels(string from, string to)
    {
        foreach (string file in new[] { "tokenizer.json", "tokenizer.model", "tokenizer_config.json", "labels.json" })
        {
            if (File.Exists(Path.Combine(from, file)))
            {
                File.Copy(Path.Combine(from, file), Path.Combine(to, file), overwrite: true);
            }
        }
    }

    private static Option<string> ModelOption() =>
        new("--model") { Description = "checkpoint directory (config.json + model.safetensors)", Required = true };

    private static Option<string> IdsOption() =>
        new("--ids") { Description = "comma-separated token ids, e.g. 1,306,4966", Required = true };

    private static Command Logits(CliContext ctx)
    {
        var model = ModelOption();
        var ids = IdsOption();
        var json = new Option<bool>("--json") { Description = "print every position's logits as JSON" };
        var command = new Command("logits", "Logits of every position of one sequence") { model, ids, json };
        var backend = new BackendChoice();
        backend.AddTo(command);
        command.SetAction(r =>
        {
            using DecoderModel m = backend.Load(r, r.GetValue(model)!, ctx.Error);
            int[] tokens = ParseIds(r.GetValue(ids)!, m.Config.VocabSize);
            float[] logits = m.Forward([new Segment(m.NewCache().CreateRoot(), tokens)], allPositions: true);
            int vocab = m.Config.VocabSize;
            if (r.GetValue(json))
            {
                var rows = new JsonArray();
                for (int t = 0; t < tokens.Length; t++)
                {
                    rows.Add(new JsonArray(
                        logits.AsSpan(t * vocab, vocab).ToArray().Select(v => (JsonNode)v).ToArray()));
                }

                ctx.Out.WriteLine(new JsonObject
                {
                    ["shape"] = new JsonArray(tokens.Length, vocab),
                    ["logits"] = rows,
                }.ToJsonString());
            }
            else
            {
                for (int t = 0; t < tokens.Length; t++)
                {
                    var row = logits.AsSpan(t * vocab, vocab).ToArray();
                    var top = row.Select((v, i) => (v, i)).OrderByDescending(x => x.v).Take(5);
                    string best = string.Join("  ", top.Select(x => $"{x.i}:{x.v:F4}"));
                    ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{t,4} {tokens[t],7}  top: {best}"));
                }
            }

            return 0;
        });
        return command;
    }

    private static Command Generate(CliContext ctx)
    {
        var model = ModelOption();
        var ids = IdsOption();
        var maxNew = new Option<int>("--max-new")
        {
            Description = "tokens to generate at most",
            DefaultValueFactory = _ => 16,
        };
        var stop = new Option<string?>("--stop")
        {
            Description = "comma-separated stop token ids (default: none; 'eos' for the config's)",
        };
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var command = new Command("generate", "Greedy generation with the log-probability of every token")
        {
            model, ids, maxNew, stop, json,
        };
        var backend = new BackendChoice();
        backend.AddTo(command);
        command.SetAction(r =>
        {
            using DecoderModel m = backend.Load(r, r.GetValue(model)!, ctx.Error);
            int[] tokens = ParseIds(r.GetValue(ids)!, m.Config.VocabSize);
            int n = r.GetValue(maxNew);
            if (n < 0)
            {
                throw new UsageException("--max-new must be ≥ 0");
            }

            string? stopText = r.GetValue(stop);
            IReadOnlySet<int> stops = stopText is null ? GenerationRequest.NoStop
                : stopText == "eos" ? m.Config.EosTokenIds.ToHashSet()
                : ParseIds(stopText, m.Config.VocabSize).ToHashSet();
            GenerationResult g = new GreedyGenerator(m)
                .Generate([new GenerationRequest(m.NewCache().CreateRoot(), tokens, n, stops)])[0];
            if (r.GetValue(json))
            {
                ctx.Out.WriteLine(new JsonObject
                {
                    ["tokens"] = new JsonArray(g.Tokens.Select(t => (JsonNode)t).ToArray()),
                    ["logprobs"] = new JsonArray(g.LogProbabilities.Select(p => (JsonNode)p).ToArray()),
                    ["stopped"] = g.Stopped,
                }.ToJsonString());
            }
            else
            {
                for (int i = 0; i < g.Tokens.Length; i++)
                {
                    ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{g.Tokens[i],7}  logprob {g.LogProbabilities[i]:F6}"));
                }
            }

            return 0;
        });
        return command;
    }

    internal static int[] ParseIds(string text, int vocab)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new UsageException("--ids: no token ids given");
        }

        var ids = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out ids[i]))
            {
                throw new UsageException($"--ids: '{parts[i]}' (item {i + 1}) is not a token id");
            }

            if (ids[i] >= vocab)
            {
                throw new UsageException(
                    $"--ids: token id {ids[i]} (item {i + 1}) is outside the vocabulary of {vocab}");
            }
        }

        return ids;
    }
}
