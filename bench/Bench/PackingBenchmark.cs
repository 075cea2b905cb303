using System.Diagnostics;
using System.Globalization;
using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tokenizers.HuggingFace;
using PaDeLLM.Tokenizers.Training;
using PaDeLLM.Training;

namespace PaDeLLM.Bench;

/// <summary>
/// Prefix-shared training against the paper's unpacked examples on CoNLL-2003 train sentences:
/// tokens per epoch and seconds per epoch for the same model and the same loss and gradients
/// (the tests prove the equality; this measures the cost).
/// </summary>
internal static class PackingBenchmark
{
    public static int Run(string? outDir)
    {
        string shared = Path.GetFullPath(Environment.GetEnvironmentVariable("PADELLM_SHARED")
            ?? Path.Combine("..", "shared"));
        DatasetInfo info = DatasetCatalog.Get("conll03");
        List<Sentence> sentences = info.Read(Path.Combine(shared, "data"), DatasetSplit.Train);
        var format = new PadellmFormat(info.Schema);
        var corpus = sentences.SelectMany((s, i) => format.Reformulate(s, i)).Select(e => e.Prompt + e.Target).ToList();
        var tokenizer = HfTokenizer.Parse(
            System.Text.Encoding.UTF8.GetBytes(BpeTrainer.Train(corpus, new BpeTrainerOptions { VocabSize = 8000 })
            .ToJsonString()), "trained");

        // Epoch totals over the whole train split; time measured on a sample of sentences.
        var packedAll = sentences.Select((s, i) => PackedExamples.Sentence(s, i, format, tokenizer)).ToList();
        long packedTokens = packedAll.Sum(r => (long)r.Length);
        long unpackedTokens = sentences.SelectMany((s, i) => format.Reformulate(s, i))
            .Sum(e => (long)PackedExamples.Tokenize(e, tokenizer).Tokens.Length);
        long examples = sentences.Sum(s => (long)format.Reformulate(s, 0).Count());

        var sample = Enumerable.Range(0, 64).Select(i => i * (sentences.Count / 64)).ToList();
        var packed = sample.Select(i => packedAll[i]).ToList();
        var unpacked = sample.SelectMany(i => format.Reformulate(sentences[i], i))
            .Select(e => PackedExamples.Tokenize(e, tokenizer))
            .Select(t => TrainingSequence.Causal(t.Tokens, t.Weights)).ToList();
        ModelConfig config = BenchModels.Shipped(tokenizer.VocabSize);
        var model = TrainableDecoder.Random(config, 1);
        // A step of 16 rows (the configs' batch) as the trainer runs it: one batched pass; and the
        // peer, each row its own pass (the trainer before batching: GEMMs of one row's length).
        const int batchSize = 16;
        double Pass(List<TrainingSequence> rows, bool rowByRow)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < rows.Count; i += batchSize)
            {
                model.ZeroGradients();
                List<TrainingSequence> batch = rows.Skip(i).Take(batchSize).ToList();
                if (rowByRow)
                {
                    batch.ForEach(r => model.ForwardBackward([r]));
                }
                else
                {
                    model.ForwardBackward(batch);
                }
            }

            return sw.Elapsed.TotalSeconds;
        }

        // Every variant once untimed first, so no timing includes the JIT's first tiers.
        foreach (List<TrainingSequence> rows in new[] { packed, unpacked })
        {
            Pass(rows, rowByRow: false);
            Pass(rows, rowByRow: true);
        }

        double Time(List<TrainingSequence> rows, bool rowByRow) => Math.Min(Pass(rows, rowByRow), Pass(rows, rowByRow));

        double tPacked = Time(packed, rowByRow: false), tUnpacked = Time(unpacked, rowByRow: false);
        double tPackedRows = Time(packed, rowByRow: true), tUnpackedRows = Time(unpacked, rowByRow: true);
        double scale = (double)sentences.Count / sample.Count;
        var report = new Report();
        report.Line("# Training benchmark: prefix-shared PaDeLLM examples");
        report.Line();
        report.Line($"Command: `dotnet run -c Release --project bench/Bench -- "
            + $"packing{(outDir is null ? "" : " --out " + outDir)}`  ");
        report.Line($"CoNLL-2003 train: {sentences.Count:N0} sentences → {examples:N0} PaDeLLM examples (Σ max(1, n)); "
            + $"5M-parameter Llama, 8k trained tokenizer; timed on {sample.Count} sentences, scaled to the epoch; "
            + $"processors: {Environment.ProcessorCount}; {DateTime.UtcNow:yyyy-MM-dd}");
        report.Line();
        report.Table(
            ["training rows", "rows per epoch", "tokens per epoch", "est. seconds per epoch", "unpacked / packed"],
            [
                ["unpacked (the paper: one sequence per example)",
                    examples.ToString("N0", CultureInfo.InvariantCulture),
                    unpackedTokens.ToString("N0", CultureInfo.InvariantCulture),
                    (tUnpacked * scale).ToString("N0", CultureInfo.InvariantCulture), "1.00×"],
                ["packed prefix tree (one row per sentence)",
                    sentences.Count.ToString("N0", CultureInfo.InvariantCulture),
                    packedTokens.ToString("N0", CultureInfo.InvariantCulture),
                    (tPacked * scale).ToString("N0", CultureInfo.InvariantCulture),
                    (tUnpacked / tPacked).ToString("F2", CultureInfo.InvariantCulture) + "×"],
            ]);
        report.Line($"Tokens: {(double)unpackedTokens / packedTokens:F2}× fewer when packed. Loss and gradients are "
            + $"the same (tests/Training.Tests).");
        report.Line();
        report.Line($"## One step of {batchSize} rows: one batched pass against each row alone");
        report.Line();
        report.Line("The batched pass runs every projection as one GEMM over all the step's tokens (attention stays "
            + "per row); row by row, each GEMM has one row's few dozen tokens, which starves the weight-gradient "
            + "products (K = the row's length).");
        report.Line();
        report.Table(
            ["rows", "row by row, s/epoch", "batched, s/epoch", "speed-up"],
            [
                ["packed prefix trees", (tPackedRows * scale).ToString("N0", CultureInfo.InvariantCulture),
                    (tPacked * scale).ToString("N0", CultureInfo.InvariantCulture),
                    (tPackedRows / tPacked).ToString("F2", CultureInfo.InvariantCulture) + "×"],
                ["unpacked examples", (tUnpackedRows * scale).ToString("N0", CultureInfo.InvariantCulture),
                    (tUnpacked * scale).ToString("N0", CultureInfo.InvariantCulture),
                    (tUnpackedRows / tUnpacked).ToString("F2", CultureInfo.InvariantCulture) + "×"],
            ]);
        report.Line($"Loss and gradients of the batched pass equal the rows' own (tests/Training.Tests). Processors "
            + $"visible to this run: {Environment.ProcessorCount}.");
        report.Line();
        report.Line(string.Create(CultureInfo.InvariantCulture,
            $"Together, an epoch of packed trees in batched steps takes {tUnpackedRows / tPacked:F1}× less time than "
            + $"the paper's unpacked examples run one by one."));
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, "training-packing.md"), report.ToString());
        }

        return 0;
    }
}
