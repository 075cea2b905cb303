using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Metrics;
using PaDeLLM.Ner.Prompts;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tokenizers;
using PaDeLLM.Tokenizers.Bpe;
using PaDeLLM.Tokenizers.HuggingFace;
using PaDeLLM.Tokenizers.Training;
using PaDeLLM.Training;
using Spectre.Console;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// <c>padellm train --dataset NAME --format padellm|struct|aug|padellm+aug [--config FILE] --out DIR [--resume]</c>:
/// trains a tokenizer if none is given, then a Llama-shaped model from scratch; the output is
/// an HF-layout checkpoint (config.json, model.safetensors, tokenizer.json) plus train_log.jsonl.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CliContext ctx)
    {
        var dataset = new Option<string>("--dataset")
        {
            Description = "dataset name; several, comma-separated, train one model on all of them (each sentence "
                + "with its own dataset's prompts), the last naming the model's labels and its dev set",
            Required = true,
        };
        var format = new Option<string>("--format")
        {
            Description = "padellm, struct, aug, or padellm+aug (PaDeLLM's examples and Aug's of each sentence "
                + "in one row)",
            DefaultValueFactory = _ => "padellm",
        }.AcceptOnlyFromAmong([.. TrainingFormats.Names]);
        var config = new Option<string?>("--config")
        {
            Description = "training configuration JSON (model shape, tokenizer, optimisation)",
        };
        var output = new Option<string>("--out") { Description = "output directory", Required = true };
        var tokenizerDir = new Option<string?>("--tokenizer")
        {
            Description = "use this tokenizer instead of training one",
        };
        var resume = new Option<bool>("--resume") { Description = "continue from the checkpoint in --out" };
        var maxSentences = new Option<int?>("--max-sentences")
        {
            Description = "use only the first N training sentences",
        };
        var untilStep = new Option<int?>("--until-step")
        {
            Description = "stop after this step with a resumable checkpoint "
                + "(the schedule still runs to the config's steps)",
        };
        var init = new Option<string?>("--init")
        {
            Description = "start from this model's weights (and tokenizer) with a fresh optimizer and schedule: "
                + "a second cycle of training",
        };
        var data = DataDirectory.Option();
        var command = new Command("train", "Train a PaDeLLM (or autoregressive baseline) model from scratch")
        {
            dataset, format, config, output, tokenizerDir, resume, maxSentences, untilStep, init, data,
        };
        command.SetAction(r =>
        {
            // --init brings its model's tokenizer: the weights' embedding rows are its ids.
            if (r.GetValue(init) is not null && r.GetValue(tokenizerDir) is not null)
            {
                throw new UsageException(
                    "--init and --tokenizer exclude each other: --init uses its model's tokenizer");
            }

            return Run(ctx, r.GetValue(dataset)!, r.GetValue(format)!, TrainConfig.Load(r.GetValue(config)),
                r.GetValue(output)!, r.GetValue(init) ?? r.GetValue(tokenizerDir), r.GetValue(resume),
                r.GetValue(maxSentences), r.GetValue(untilStep), r.GetValue(init),
                DataDirectory.Resolve(r.GetValue(data)!));
        });
        return command;
    }

    private static int Run(
        CliContext ctx,
        string datasetName,
        string formatName,
        TrainConfig cfg,
        string outDir,
        string? tokenizerDir,
        bool resume,
        int? maxSentences,
        int? untilStep,
        string? initDir,
        string dataDir)
    {
        if (untilStep is <= 0)
        {
            throw new UsageException($"--until-step must be a positive step number, not {untilStep}");
        }

        DatasetInfo[] infos = datasetName
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(DatasetCatalog.Get).ToArray();
        if (infos.Length == 0)
        {
            throw new UsageException("--dataset: no dataset named");
        }

        DatasetInfo info = infos[^1]; // the model's labels and dev set
        ITrainingFormat format = TrainingFormats.Create(formatName, info.Schema);

        // Each sentence's examples, reformulated once under its own dataset's schema and prompts:
        // the tokenizer's corpus and the training rows.
        var examples = new List<List<TrainingExample>>();
        var texts = new List<string>(); // each sentence's text header and text, the prompts' common start
        var sentenceCounts = new List<string>();
        Dictionary<PromptLanguage, char[]>? unseenPools = cfg.UnseenCharacterProbability > 0
            ? UnseenPools(cfg, infos.Select(i => i.Schema.Language), tokenizerDir, resume, outDir)
            : null;
        foreach (DatasetInfo source in infos)
        {
            List<Sentence> train = source.Read(dataDir, DatasetSplit.Train);
            if (maxSentences is int n)
            {
                train = train.Take(n).ToList();
            }

            int read = train.Count, withUnseen = 0;
            List<Sentence> joined = cfg.JoinAdjacent
                ? AdjacentJoining.Pairs(train, source.Schema.Language == PromptLanguage.Chinese ? "" : " ").ToList()
                : [];
            if (cfg.AugmentCopies > 0)
            {
                // Seeded by the run's seed and the dataset's place in the list: a resumed run rebuilds the same rows.
                int seed = unchecked((int)cfg.Train.Seed * 31 + sentenceCounts.Count);
                List<Sentence> copies = new MentionReplacement(train, cfg.ReplacementProbability)
                    .Copies(train, cfg.AugmentCopies, seed).ToList();
                if (unseenPools is not null)
                {
                    var unseen = new UnseenCharacters(
                        unseenPools[source.Schema.Language], cfg.UnseenCharacterProbability);
                    List<Sentence> swapped = unseen.Apply(copies, unchecked(seed * 31 + 7)).ToList();
                    withUnseen = swapped.Where((c, i) => !ReferenceEquals(c, copies[i])).Count();
                    copies = swapped;
                }

                train.AddRange(copies);
            }

            train.AddRange(joined);

            ITrainingFormat sourceFormat = TrainingFormats.Create(formatName, source.Schema);
            foreach (Sentence sentence in train)
            {
                examples.Add(sourceFormat.Reformulate(sentence, examples.Count).ToList());
                texts.Add(PromptTemplate.For(source.Schema.Language).TextHeader + sentence.Text);
            }

            int replaced = train.Count - read - joined.Count;
            sentenceCounts.Add($"{source.Name} {read:N0}"
                + (replaced > 0 ? $" (+{replaced:N0} with mentions replaced)" : "")
                + (withUnseen > 0 ? $" ({withUnseen:N0} of them with characters the tokenizer lacks)" : "")
                + (joined.Count > 0 ? $" (+{joined.Count:N0} joined to the next)" : ""));
        }
        Directory.CreateDirectory(outDir);
        string tokenizerPath = Path.Combine(outDir, "tokenizer.json");
        if (tokenizerDir is not null)
        {
            File.Copy(Path.Combine(tokenizerDir, "tokenizer.json"), tokenizerPath, overwrite: true);
        }
        else if (!(resume && File.Exists(tokenizerPath)))
        {
            var corpus = examples.SelectMany(e => e).Select(e => e.Prompt + e.Target).ToList();
            BpeTrainer.Save(
                BpeTrainer.Train(
                    corpus, new BpeTrainerOptions { VocabSize = cfg.VocabSize, CopyAligned = cfg.CopyAligned }),
                outDir);
            ctx.Error.WriteLine($"tokenizer: {cfg.VocabSize} pieces trained on {corpus.Count:N0} examples");
        }

        HfTokenizer tokenizer = HfTokenizer.Load(tokenizerPath);

        // The model's own label schema, so extract/serve/corpus use it without being told.
        File.WriteAllText(Path.Combine(outDir, LabelSchemaFile.ModelFileName),
            System.Text.Json.JsonSerializer.Serialize(
                Contracts.Wire.SchemaSpec.From(info.Schema), Contracts.PipelineJson.Indented.SchemaSpec));
        // A model that reads its text bidirectionally stays so; a causal one becomes so when the config asks.
        string? configDir = resume && File.Exists(Path.Combine(outDir, "config.json")) ? outDir : initDir;
        bool bidirectional = cfg.BidirectionalText
            || (configDir is not null && ModelConfig.Load(configDir).BidirectionalText);
        if (bidirectional && format is not (PadellmFormat or MixedFormat))
        {
            throw new UsageException("model.bidirectional_text needs a packed format (padellm or padellm+aug)");
        }

        var rows = new List<TrainingSequence>();
        foreach ((List<TrainingExample> sentence, string text) in examples.Zip(texts))
        {
            if (format is PadellmFormat or MixedFormat)
            {
                rows.Add(PackedExamples.Pack(
                    sentence, tokenizer, cfg.PromptLossWeight, cfg.CountLossWeight, bidirectional ? text : null));
            }
            else
            {
                rows.AddRange(sentence
                    .Select(e => PackedExamples.Tokenize(e, tokenizer, cfg.PromptLossWeight, cfg.CountLossWeight))
                    .Select(t => TrainingSequence.Causal(t.Tokens, t.Weights)));
            }
        }

        Trainer trainer = resume && File.Exists(Path.Combine(outDir, "trainer_state.json"))
            ? Trainer.Resume(outDir, rows, cfg.Train)
            : new Trainer(
                initDir is not null
                    ? InitialWeights(initDir, tokenizer, bidirectional)
                    : TrainableDecoder.Random(
                        cfg.Model(tokenizer.VocabSize, tokenizer.BosId, tokenizer.EosId!.Value), (int)cfg.Train.Seed),
                rows,
                cfg.Train);
        ctx.Error.WriteLine($"{string.Join(" + ", sentenceCounts)} sentences ({format.Name}) -> {rows.Count:N0} rows, "
            + $"{rows.Sum(x => (long)x.Length):N0} tokens; "
            + $"{trainer.Model.Parameters.Values.Sum(p => (long)p.Length) / 1e6:F1}M parameters; "
            + $"step {trainer.Step}/{cfg.Train.Steps}");

        // A checkpoint per step at most: dev evaluation reads the weights from it, and would
        // otherwise write one again after a periodic or the final save (weights and moments).
        int savedStep = -1;
        void Checkpoint()
        {
            if (savedStep != trainer.Step)
            {
                trainer.SaveCheckpoint(outDir);
                savedStep = trainer.Step;
                if (cfg.SnapshotEvery > 0 && trainer.Step % cfg.SnapshotEvery == 0)
                {
                    Snapshot(outDir, trainer.Step);
                }
            }
        }

        // The weights as they stand, through the inference engine, on the first dev sentences.
        List<Sentence>? devSentences = null;
        JsonObject EvaluateDev()
        {
            Checkpoint();
            devSentences ??= info.Read(dataDir, DatasetSplit.Dev).Take(cfg.DevSentences).ToList();
            using DecoderModel model = DecoderModel.Load(outDir);
            var extract = DatasetExtraction.For(
                model, tokenizer, info.Schema, DatasetExtraction.ModeFor(format), format.Name);
            var evaluator = new NerEvaluator();
            foreach (Sentence s in devSentences)
            {
                evaluator.Add(s, extract(s).Document.ToExtractionResult());
            }

            return new JsonObject
            {
                ["step"] = trainer.Step,
                ["dev_sentences"] = devSentences.Count,
                ["dev_paper_f1"] = evaluator.Paper.Micro.F1,
                ["dev_span_f1"] = evaluator.Span.Micro.F1,
            };
        }

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // stop after this step and leave a checkpoint
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;

        // A stopping container or `kill` sends SIGTERM: the same clean stop, with a checkpoint.
        using PosixSignalRegistration onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, e =>
        {
            e.Cancel = true;
            cancel.Cancel();
        });
        string logPath = Path.Combine(outDir, "train_log.jsonl");
        int startStep = trainer.Step;
        if (resume)
        {
            TrainLog.TrimAfter(logPath, trainer.Step);
        }

        try
        {
            ctx.Progress.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(),
                new PercentageColumn(), new RemainingTimeColumn()).Start(p =>
            {
                ProgressTask task = p.AddTask("training", maxValue: cfg.Train.Steps);
                task.Value = trainer.Step;
                using var log = new StreamWriter(logPath, append: resume);
                double smoothed = double.NaN;
                int stopAt = Math.Min(cfg.Train.Steps, untilStep ?? int.MaxValue);
                while (trainer.Step < stopAt && !cancel.IsCancellationRequested)
                {
                    (double loss, long tokens, double seconds) = trainer.TrainStep();
                    smoothed = double.IsNaN(smoothed) ? loss : (0.9 * smoothed) + (0.1 * loss);
                    task.Value = trainer.Step;
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"step {trainer.Step} loss {smoothed:F3} {tokens / seconds:F0} tok/s");
                    log.WriteLine(new JsonObject
                    {
                        ["step"] = trainer.Step,
                        ["loss"] = loss,
                        ["tokens_per_s"] = Math.Round(tokens / seconds),
                    }.ToJsonString());
                    if (trainer.Step % cfg.CheckpointEvery == 0)
                    {
                        Checkpoint();
                        log.Flush(); // the log on disk reaches at least the checkpoint a resume starts from
                    }

                    if (cfg.EvalEvery > 0 && trainer.Step % cfg.EvalEvery == 0 && !trainer.Done)
                    {
                        task.Description = $"step {trainer.Step}: dev evaluation";
                        log.WriteLine(EvaluateDev().ToJsonString());
                        log.Flush();
                    }
                }
            });
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        Checkpoint();
        if (!trainer.Done)
        {
            ctx.Error.WriteLine($"stopped at step {trainer.Step}: continue with --resume");
            return 0;
        }

        if (cfg.DevSentences > 0 && trainer.Step > startStep)
        {
            JsonObject dev = EvaluateDev();
            File.AppendAllText(logPath, dev.ToJsonString() + Environment.NewLine);
            ctx.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"dev ({cfg.DevSentences} sentences, {DatasetExtraction.ModeFor(format)}): "
                + $"paper micro-F1 {100 * (double)dev["dev_paper_f1"]!:F2}, "
                + $"span F1 {100 * (double)dev["dev_span_f1"]!:F2}"));
        }

        ctx.Error.WriteLine(
            $"model -> {outDir} (config.json, model.safetensors, tokenizer.json, labels.json, train_log.jsonl)");
        return 0;
    }

    /// <summary>The checkpoint's weights as a model directory of their own: runs/X/steps/N/.</summary>
    private static void Snapshot(string outDir, int step)
    {
        string dir = Path.Combine(outDir, "steps", step.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        string[] files = ["config.json", "model.safetensors", "tokenizer.json", LabelSchemaFile.ModelFileName];
        foreach (string file in files)
        {
            File.Copy(Path.Combine(outDir, file), Path.Combine(dir, file), overwrite: true);
        }
    }

    /// <summary>
    /// A trained model's weights (BF16 widens exactly) to continue from, checked against its tokenizer.
    /// </summary>
    private static TrainableDecoder InitialWeights(string dir, HfTokenizer tokenizer, bool bidirectional)
    {
        TrainableDecoder model = TrainableDecoder.Load(dir);
        if (model.Config.VocabSize != tokenizer.VocabSize)
        {
            throw new UsageException(
                $"{dir}: the model has {model.Config.VocabSize} token embeddings, its tokenizer {tokenizer.VocabSize}");
        }

        return bidirectional && !model.Config.BidirectionalText
            ? new TrainableDecoder(model.Config with { BidirectionalText = true }, model.Parameters, model.Shapes)
            : model;
    }

    /// <summary>
    /// The characters of each language's script that the run's tokenizer has no piece for (it writes them as UTF-8
    /// bytes): CJK ideographs for Chinese, Latin letters with diacritics for English. The tokenizer must be known
    /// before the data is: given by --init or --tokenizer, or the one a resumed run trained.
    /// </summary>
    private static Dictionary<PromptLanguage, char[]> UnseenPools(
        TrainConfig cfg, IEnumerable<PromptLanguage> languages, string? tokenizerDir, bool resume, string outDir)
    {
        if (cfg.AugmentCopies == 0)
        {
            throw new UsageException(
                "augment.unseen_characters writes into the replaced copies: set augment.copies as well");
        }

        string? path = tokenizerDir is not null ? Path.Combine(tokenizerDir, "tokenizer.json")
            : resume && File.Exists(Path.Combine(outDir, "tokenizer.json")) ? Path.Combine(outDir, "tokenizer.json")
            : null;
        if (path is null)
        {
            throw new UsageException("augment.unseen_characters needs the tokenizer before the data (--init or "
                + "--tokenizer): which characters it lacks is known only then");
        }

        HfTokenizer tokenizer = HfTokenizer.Load(path);
        return languages.Distinct().ToDictionary(language => language, language =>
        {
            (char first, char last) = language == PromptLanguage.Chinese ? ('\u4E00', '\u9FFF') : ('\u00C0', '\u024F');
            return Enumerable.Range(first, last - first + 1).Select(c => (char)c)
                .Where(c => char.IsLetter(c) && tokenizer.Encode(c.ToString())
                    .Any(id => tokenizer.IdToToken(id) is string t && ByteFallback.ByteOf(t) is not null))
                .ToArray();
        });
    }
}
