using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Metrics;
using PaDeLLM.Ner.Results;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tokenizers;
using Spectre.Console;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// <c>padellm eval --model DIR --dataset NAME [--split dev] [--mode batch|multi|autoreg]</c>: predictions in
/// the paper's results format, and the paper's micro-F1, the strict span F1, latency per
/// sentence and generated tokens per sequence (its Tables 2, 3 and 8).
/// </summary>
internal static class EvalCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = new Option<string>("--model")
        {
            Description = "model directory (HF layout, with tokenizer.json)",
            Required = true,
        };
        var dataset = new Option<string>("--dataset") { Description = "dataset name", Required = true };
        var split = new Option<string>("--split")
        {
            Description = "dev (test splits are held back)",
            DefaultValueFactory = _ => "dev",
        };
        var mode = new Option<string>("--mode")
        {
            Description = "batch, multi (PaDeLLM) or autoreg (Struct/Aug baselines)",
            DefaultValueFactory = _ => "batch",
        }.AcceptOnlyFromAmong("batch", "multi", "autoreg");
        var format = new Option<string>("--format")
        {
            Description = "with --mode autoreg: struct or aug",
            DefaultValueFactory = _ => "struct",
        }.AcceptOnlyFromAmong("struct", "aug");
        var max = new Option<int?>("--max-sentences") { Description = "evaluate the first N sentences only" };
        var output = new Option<string?>("--out")
        {
            Description = "write predictions in the paper's results format here",
        };
        var json = new Option<bool>("--json") { Description = "print the summary as JSON" };
        var unconstrained = ModelChoice.UnconstrainedOption();
        var countBias = new Option<double>("--count-bias")
        {
            Description = "count calibration: tilt each count n by e^(β·n) (0: the model's own counts)",
        };
        var copyEnd = new Option<string>("--copy-end")
        {
            Description = "how a copied mention ends: stop-mass (the stops against all else) or argmax "
                + "(the best stop against the text's best continuation, the first rule)",
            DefaultValueFactory = _ => "stop-mass",
        }.AcceptOnlyFromAmong("stop-mass", "argmax");
        var goldCounts = new Option<bool>("--gold-counts")
        {
            Description = "diagnosis: decode each label's count as the sentence's gold count, so that only the "
                + "mention step's errors are left (PaDeLLM modes)",
        };
        var repeats = new Option<string>("--repeats")
        {
            Description = "a copied mention that repeats another k of its label: decoded again, barred from its "
                + "label's strings (again), or left to the merge as the paper does (keep)",
            DefaultValueFactory = _ => "again",
        }.AcceptOnlyFromAmong("again", "keep");
        var repeatFloor = new Option<double>("--repeat-min-probability")
        {
            Description = "with --repeats again: the least probability a mention decoded again needs to be taken",
            DefaultValueFactory = _ => PadellmOptions.DefaultRepeatMinProbability,
        };
        var warmUp = new Option<double>("--warmup-seconds")
        {
            Description = "decode the first sentences this long, untimed, before the timed pass "
                + "(the JIT optimises hot code in tiers; without it the first sentences run slower)",
            DefaultValueFactory = _ => 3,
        };
        var data = DataDirectory.Option();
        var command = new Command("eval",
            "Evaluate a model on a dataset split: F1 (paper and span), latency, tokens per sequence")
        {
            model, dataset, split, mode, format, max, output, json, unconstrained, countBias, copyEnd, goldCounts,
            repeats, repeatFloor, warmUp, data,
        };
        var backend = new BackendChoice();
        backend.AddTo(command);
        command.SetAction(r =>
        {
            DatasetInfo info = DatasetCatalog.Get(r.GetValue(dataset)!);
            List<Sentence> sentences = info.Read(
                DataDirectory.Resolve(r.GetValue(data)!), DatasetSplitNames.Parse(r.GetValue(split)!));
            if (r.GetValue(max) is int n)
            {
                sentences = sentences.Take(n).ToList();
            }

            string modelDir = r.GetValue(model)!;
            ITokenizer tokenizer = ModelChoice.DecodingTokenizer(modelDir);
            using DecoderModel decoder = backend.Load(r, modelDir, ctx.Error);
            string m = r.GetValue(mode)!;
            double bias = r.GetValue(countBias) is double b && double.IsFinite(b) && b >= 0
                ? b
                : throw new UsageException("--count-bias must be a number ≥ 0");
            Func<Sentence, (ResultDocument Document, TimeSpan Latency)> extract =
                DatasetExtraction.For(
                    decoder, tokenizer, info.Schema, m, r.GetValue(format)!, !r.GetValue(unconstrained), bias,
                    r.GetValue(copyEnd) == "argmax" ? CopyEnding.Argmax : CopyEnding.StopMass,
                    r.GetValue(goldCounts), r.GetValue(repeats) == "again"
                        ? r.GetValue(repeatFloor) is double f && f >= 0 && f <= 1
                            ? f
                            : throw new UsageException("--repeat-min-probability must be a number in [0, 1]")
                        : null);
            double warmSeconds = r.GetValue(warmUp) is double w && double.IsFinite(w) && w >= 0
                ? w
                : throw new UsageException("--warmup-seconds must be a number ≥ 0");
            WarmUp(extract, sentences, TimeSpan.FromSeconds(warmSeconds));
            var evaluator = new NerEvaluator();
            var latencies = new List<double>();
            long generated = 0, sequences = 0, failures = 0, unresolved = 0;
            var records = new List<JsonObject>();
            ctx.Progress.Progress().AutoClear(true).Start(p =>
            {
                ProgressTask task = p.AddTask($"{info.Name} {m}", maxValue: sentences.Count);
                for (int i = 0; i < sentences.Count; i++)
                {
                    (ResultDocument d, TimeSpan latency) = extract(sentences[i]);
                    var result = d.ToExtractionResult();
                    evaluator.Add(sentences[i], result);
                    latencies.Add(latency.TotalSeconds);
                    generated += d.TokensGenerated;
                    sequences += d.Sequences;
                    failures += d.Failures.Count;
                    unresolved += d.Unresolved.Count;
                    records.Add(Record(i, sentences[i], result, latency));
                    task.Increment(1);
                }
            });

            if (r.GetValue(output) is string path)
            {
                OfficialResultsFile.Save(records, path);
            }

            latencies.Sort();
            double P(double q) => latencies.Count == 0
                ? 0
                : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)] * 1e3;
            var summary = new JsonObject
            {
                ["dataset"] = info.Name,
                ["split"] = r.GetValue(split),
                ["mode"] = m,
                ["copy_mentions"] = m != "autoreg" && !r.GetValue(unconstrained),
                ["count_bias"] = m != "autoreg" ? bias : 0,
                ["gold_counts"] = r.GetValue(goldCounts),
                ["warmup_seconds"] = warmSeconds,
                ["copy_end"] = m != "autoreg" && !r.GetValue(unconstrained) ? r.GetValue(copyEnd) : null,
                ["repeats"] = m != "autoreg" && !r.GetValue(unconstrained) ? r.GetValue(repeats) : null,
                ["repeat_min_probability"] =
                    m != "autoreg" && !r.GetValue(unconstrained) && r.GetValue(repeats) == "again"
                        ? r.GetValue(repeatFloor)
                        : null,
                ["sentences"] = sentences.Count,
                ["paper_micro_f1"] = evaluator.Paper.Micro.F1,
                ["paper_micro_precision"] = evaluator.Paper.Micro.Precision,
                ["paper_micro_recall"] = evaluator.Paper.Micro.Recall,
                ["span_micro_f1"] = evaluator.Span.Micro.F1,
                ["latency_ms_mean"] = latencies.Count == 0 ? 0 : latencies.Average() * 1e3,
                ["latency_ms_p50"] = P(0.5),
                ["latency_ms_p99"] = P(0.99),
                ["tokens_per_sequence"] = sequences == 0 ? 0 : (double)generated / sequences,
                ["parse_failures"] = failures,
                ["mentions_not_in_text"] = unresolved,
            };
            if (r.GetValue(json))
            {
                ctx.Out.WriteLine(
                    summary.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{info.Name}/{r.GetValue(split)} {m}: paper F1 {100 * evaluator.Paper.Micro.F1:F2}  "
                    + $"span F1 {100 * evaluator.Span.Micro.F1:F2}  "
                    + $"latency mean {(double)summary["latency_ms_mean"]!:F1} ms p50 {P(0.5):F1} p99 {P(0.99):F1}  "
                    + $"tokens/sequence {(double)summary["tokens_per_sequence"]!:F2}  parse failures {failures}  "
                    + $"mentions not in the text {unresolved}"));
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// Decodes sentences, in order and round again, for <paramref name="length"/>, untimed: the runtime
    /// compiles hot methods first unoptimised and re-compiles them later, so without this the first
    /// hundred sentences' latencies measure the JIT (two to three times the rest's on Resume).
    /// Greedy decoding is deterministic: the timed pass's predictions are the same.
    /// </summary>
    private static void WarmUp(
        Func<Sentence, (ResultDocument Document, TimeSpan Latency)> extract, List<Sentence> sentences, TimeSpan length)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; sentences.Count > 0 && clock.Elapsed < length; i++)
        {
            extract(sentences[i % sentences.Count]);
        }
    }

    private static JsonObject Record(int id, Sentence gold, Ner.Aggregation.ExtractionResult result, TimeSpan latency)
    {
        var pred = new JsonObject();
        foreach (var group in result.Entities.GroupBy(e => e.Label))
        {
            pred[group.Key] = new JsonArray(
                group.Select(e => (JsonNode)new JsonArray(e.Text, e.Probability)).ToArray());
        }

        var gt = new JsonObject();
        foreach (var group in gold.Mentions.GroupBy(mn => mn.Label))
        {
            gt[group.Key] = new JsonArray(group.Select(mn => (JsonNode)mn.Surface).ToArray());
        }

        return new JsonObject
        {
            ["id"] = id,
            ["texts"] = gold.Text,
            ["pred"] = pred,
            ["gt"] = gt,
            ["latency"] = latency.TotalSeconds,
        };
    }
}
