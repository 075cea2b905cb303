using System.Text.Json.Nodes;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Cli.Tests;

public class TrainCommandTests
{
    private const string TinyConfig = """
        {"model": {"hidden_size": 32, "layers": 1, "heads": 2, "intermediate_size": 64, "max_positions": 256},
         "tokenizer": {"vocab_size": 1200}, "train": {"steps": 4, "batch_size": 2, "warmup": 1, "checkpoint_every": 2},
         "eval": {"dev_sentences": 2}}
        """;

    [SharedDataFact]
    public void Train_writes_a_model_that_extract_loads_and_resume_continues()
    {
        using var dir = new TempDir();
        string config = dir.File("tiny.json", TinyConfig);
        string output = Path.Combine(dir.Path, "model");
        var (exit, _, stderr) = CliRunner.Run("train", "--dataset", "conll03", "--config", config, "--out", output,
            "--max-sentences", "40", "--data", SharedData.DataDir);
        Assert.True(exit == 0, stderr);
        foreach (string f in new[] { "config.json", "model.safetensors", "tokenizer.json", "optimizer.safetensors",
            "trainer_state.json", "train_log.jsonl" })
        {
            Assert.True(File.Exists(Path.Combine(output, f)), f);
        }

        // One line per step, then the dev evaluation through the inference engine.
        string[] log = File.ReadAllLines(Path.Combine(output, "train_log.jsonl"));
        Assert.Equal(5, log.Length);
        Assert.All(log[..4], l => Assert.NotNull(JsonNode.Parse(l)!["loss"]));
        JsonNode dev = JsonNode.Parse(log[4])!;
        Assert.Equal(4, (int)dev["step"]!);
        Assert.Equal(2, (int)dev["dev_sentences"]!);
        Assert.InRange((double)dev["dev_paper_f1"]!, 0, 1);
        Assert.Contains("dev (2 sentences, batch): paper micro-F1", stderr);

        // The checkpoint is a model directory: extract runs on it (an untrained model may find nothing, but it
        // answers).
        var extract = CliRunner.Run("extract", "--model", output, "--text", "EU rejects German call .");
        Assert.True(extract.Exit == 0, extract.Err);
        Assert.NotNull(JsonNode.Parse(extract.Out)!["entities"]);

        // Eval writes the paper's results format, which score reads back.
        string results = Path.Combine(dir.Path, "results.json");
        var eval = CliRunner.Run("eval", "--model", output, "--dataset", "conll03", "--max-sentences", "3", "--out",
            results, "--json", "--data", SharedData.DataDir);
        Assert.True(eval.Exit == 0, eval.Err);
        JsonNode summary = JsonNode.Parse(eval.Out)!;
        Assert.Equal(3, (int)summary["sentences"]!);
        Assert.True((double)summary["latency_ms_p99"]! >= (double)summary["latency_ms_p50"]!);
        var score = CliRunner.Run("score", results, "--json");
        Assert.True(score.Exit == 0, score.Err);
        Assert.Equal(3, (int)JsonNode.Parse(score.Out)!["records"]!);

        // The untimed warm-up pass changes the latencies only: without it, the same predictions.
        string cold = Path.Combine(dir.Path, "cold.json");
        var noWarmUp = CliRunner.Run("eval", "--model", output, "--dataset", "conll03", "--max-sentences", "3",
            "--out", cold, "--warmup-seconds", "0", "--json", "--data", SharedData.DataDir);
        Assert.True(noWarmUp.Exit == 0, noWarmUp.Err);
        Assert.Equal(3.0, (double)summary["warmup_seconds"]!);
        Assert.Equal(Predictions(results), Predictions(cold));
        var negative = CliRunner.Run("eval", "--model", output, "--dataset", "conll03", "--warmup-seconds", "-1",
            "--data", SharedData.DataDir);
        Assert.NotEqual(0, negative.Exit);
        Assert.Contains("--warmup-seconds must be a number ≥ 0", negative.Err);

        // The gold-count diagnosis is PaDeLLM's count step, and its summary says it ran.
        var gold = CliRunner.Run("eval", "--model", output, "--dataset", "conll03", "--max-sentences", "3",
            "--gold-counts", "--warmup-seconds", "0", "--json", "--data", SharedData.DataDir);
        Assert.True(gold.Exit == 0, gold.Err);
        Assert.True((bool)JsonNode.Parse(gold.Out)!["gold_counts"]!);
        Assert.False((bool)summary["gold_counts"]!);
        var goldAutoreg = CliRunner.Run("eval", "--model", output, "--dataset", "conll03", "--mode", "autoreg",
            "--gold-counts", "--data", SharedData.DataDir);
        Assert.Equal(2, goldAutoreg.Exit);
        Assert.Contains("gold counts are PaDeLLM's count step", goldAutoreg.Err);

        // Resuming a finished run does no more steps.
        var again = CliRunner.Run("train", "--dataset", "conll03", "--config", config, "--out", output,
            "--max-sentences", "40", "--data", SharedData.DataDir, "--resume");
        Assert.True(again.Exit == 0, again.Err);
        Assert.Contains("step 4/4", again.Err);
        Assert.Equal(log, File.ReadAllLines(Path.Combine(output, "train_log.jsonl")));
    }

    [SharedDataFact]
    public void Until_step_leaves_a_checkpoint_and_a_resume_after_a_kill_logs_each_step_once()
    {
        using var dir = new TempDir();
        string config = dir.File("tiny.json",
            TinyConfig.Replace("\"dev_sentences\": 2", "\"dev_sentences\": 0", StringComparison.Ordinal));
        string output = Path.Combine(dir.Path, "model");
        string[] common = ["train", "--dataset", "conll03", "--config", config, "--out", output, "--max-sentences",
            "40", "--data", SharedData.DataDir];
        var first = CliRunner.Run([.. common, "--until-step", "2"]);
        Assert.True(first.Exit == 0, first.Err);
        Assert.Contains("stopped at step 2", first.Err);
        string log = Path.Combine(output, "train_log.jsonl");

        // A process killed after its step-2 checkpoint had logged step 3 and half of step 4.
        File.AppendAllText(log, "{\"step\":3,\"loss\":9.9,\"tokens_per_s\":1}\n{\"step\":4,\"lo");
        var resumed = CliRunner.Run([.. common, "--resume"]);
        Assert.True(resumed.Exit == 0, resumed.Err);
        Assert.Contains("step 2/4", resumed.Err);
        int[] steps = File.ReadAllLines(log).Select(l => (int)JsonNode.Parse(l)!["step"]!).ToArray();
        Assert.Equal([1, 2, 3, 4], steps);
        Assert.DoesNotContain(File.ReadAllLines(log), l => l.Contains("9.9", StringComparison.Ordinal));

        var bad = CliRunner.Run([.. common, "--until-step", "0"]);
        Assert.Equal(2, bad.Exit);
        Assert.Contains("--until-step", bad.Err);
    }

    [SharedDataFact]
    public void A_baseline_is_evaluated_on_dev_every_n_steps_with_its_own_decoder()
    {
        using var dir = new TempDir();
        string config = dir.File("tiny.json",
            TinyConfig.Replace("\"dev_sentences\": 2}", "\"dev_sentences\": 2, \"every\": 2}",
            StringComparison.Ordinal));
        string output = Path.Combine(dir.Path, "model");
        var (exit, _, stderr) = CliRunner.Run("train", "--dataset", "conll03", "--format", "struct", "--config", config,
            "--out", output, "--max-sentences", "40", "--data", SharedData.DataDir);
        Assert.True(exit == 0, stderr);
        var devLines = File.ReadAllLines(Path.Combine(output, "train_log.jsonl")).Select(l => JsonNode.Parse(l)!)
            .Where(l => l["dev_paper_f1"] is not null).ToList();
        Assert.Equal([2, 4], devLines.Select(l => (int)l["step"]!));
        Assert.Contains("dev (2 sentences, autoreg)", stderr);
    }

    [SharedDataFact]
    public void Padellm_and_aug_examples_of_a_sentence_pack_into_one_row_and_the_model_is_evaluated_as_padellm()
    {
        using var dir = new TempDir();
        string config = dir.File(
            "tiny.json", Tiny(("\"steps\": 4", "\"steps\": 1"), ("\"dev_sentences\": 2", "\"dev_sentences\": 1")));
        var tokens = new Dictionary<string, long>();
        string? tokenizer = null;
        foreach (string format in new[] { "padellm", "aug", "padellm+aug" })
        {
            string output = Path.Combine(dir.Path, format.Replace('+', '-'));
            string[] args = ["train", "--dataset", "conll03", "--format", format, "--config", config, "--out", output,
                "--max-sentences", "20", "--data", SharedData.DataDir];
            var (exit, _, stderr) = CliRunner.Run(tokenizer is null ? args : [.. args, "--tokenizer", tokenizer]);
            Assert.True(exit == 0, stderr);
            tokenizer ??= output; // one tokenizer for all three, so their token counts compare
            var m = System.Text.RegularExpressions.Regex.Match(stderr, @"-> (\d+) rows, ([\d,]+) tokens");
            Assert.True(m.Success, stderr);
            tokens[format] = long.Parse(m.Groups[2].Value.Replace(",", "", StringComparison.Ordinal),
                System.Globalization.CultureInfo.InvariantCulture);
            if (format == "padellm+aug")
            {
                Assert.Equal("20", m.Groups[1].Value); // one prefix-tree row per sentence
                Assert.Contains("dev (1 sentences, batch)", stderr);
            }
        }

        // The annotated text is one more branch of each sentence's tree: the text header it shares with
        // the count prompts is stored once, so the row is shorter than the two formats' rows together.
        Assert.True(tokens["padellm+aug"] > tokens["padellm"]);
        Assert.True(tokens["padellm+aug"] < tokens["padellm"] + tokens["aug"],
            $"packed {tokens["padellm+aug"]} tokens, apart {tokens["padellm"]} + {tokens["aug"]}");
    }

    [SharedDataFact]
    public void Several_datasets_train_one_model_each_with_its_own_prompts_the_last_naming_its_labels()
    {
        using var dir = new TempDir();
        string config = dir.File(
            "tiny.json", Tiny(("\"steps\": 4", "\"steps\": 2"), ("\"dev_sentences\": 2", "\"dev_sentences\": 1")));
        string output = Path.Combine(dir.Path, "model");
        var (exit, _, stderr) = CliRunner.Run("train", "--dataset", "conll03,resume", "--config", config,
            "--out", output, "--max-sentences", "20", "--data", SharedData.DataDir);
        Assert.True(exit == 0, stderr);
        Assert.Contains("conll03 20 + resume 20 sentences (padellm) -> 40 rows", stderr);

        // The model answers in the last dataset's labels, and was evaluated on its dev set.
        JsonNode labels = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "labels.json")))!;
        Assert.Equal("resume", (string)labels["name"]!);
        Assert.Equal("zh", (string)labels["language"]!);
        Assert.Contains("TITLE", labels.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("MISC", labels.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("dev (1 sentences, batch)", stderr);

        // One tokenizer learnt from both datasets: Chinese characters are pieces, not byte fallback.
        var tokenizer = PaDeLLM.Tokenizers.HuggingFace.HfTokenizer.Load(Path.Combine(output, "tokenizer.json"));
        Assert.InRange(tokenizer.Encode("公司").Length, 1, 2); // byte fallback would be 6
    }

    [SharedDataFact]
    public void Replaced_copies_join_the_training_rows()
    {
        using var dir = new TempDir();
        string config = dir.File("tiny.json", Tiny(
            ("\"steps\": 4", "\"steps\": 1"), ("\"eval\":", "\"augment\": {\"copies\": 2}, \"eval\":")));
        var (exit, _, stderr) = CliRunner.Run("train", "--dataset", "conll03", "--config", config,
            "--out", Path.Combine(dir.Path, "model"), "--max-sentences", "20", "--data", SharedData.DataDir);
        Assert.True(exit == 0, stderr);
        Assert.Contains("conll03 20 (+40 with mentions replaced) sentences (padellm) -> 60 rows", stderr);
    }

    [SharedDataFact]
    public void Replaced_copies_get_characters_the_given_tokenizer_lacks()
    {
        // The shipped Chinese tokenizer lacks 喆 (Resume dev's 孙喆浩): such characters are what the copies get.
        string zh = Path.Combine(SharedData.RepoRoot, "models", "resume-zh");
        var tokenizer = PaDeLLM.Tokenizers.HuggingFace.HfTokenizer.Load(Path.Combine(zh, "tokenizer.json"));
        Assert.Equal(3, tokenizer.Encode("喆").Length); // its UTF-8 bytes
        using var dir = new TempDir();
        string config = dir.File("tiny.json", Tiny(
            ("\"steps\": 4", "\"steps\": 1"), ("\"dev_sentences\": 2", "\"dev_sentences\": 1"),
            ("\"eval\":", "\"augment\": {\"copies\": 1, \"unseen_characters\": 1}, \"eval\":")));
        var (exit, _, stderr) = CliRunner.Run("train", "--dataset", "resume", "--config", config, "--tokenizer", zh,
            "--out", Path.Combine(dir.Path, "model"), "--max-sentences", "20", "--data", SharedData.DataDir);
        Assert.True(exit == 0, stderr);
        Assert.Contains("resume 20 (+20 with mentions replaced) (20 of them with characters the tokenizer lacks)",
            stderr);
    }

    [SharedDataFact]
    public void Joined_pairs_join_the_training_rows_beside_the_replaced_copies()
    {
        using var dir = new TempDir();
        string config = dir.File("tiny.json", Tiny(
            ("\"steps\": 4", "\"steps\": 1"),
            ("\"eval\":", "\"augment\": {\"copies\": 1, \"join_adjacent\": true}, \"eval\":")));
        var (exit, _, stderr) = CliRunner.Run("train", "--dataset", "conll03", "--config", config,
            "--out", Path.Combine(dir.Path, "model"), "--max-sentences", "20", "--data", SharedData.DataDir);
        Assert.True(exit == 0, stderr);
        Assert.Contains(
            "conll03 20 (+20 with mentions replaced) (+19 joined to the next) sentences (padellm) -> 59 rows", stderr);
    }

    [SharedDataFact]
    public void Snapshots_are_model_directories_that_average_into_one()
    {
        using var dir = new TempDir();
        string config = dir.File("tiny.json", Tiny(
            ("\"checkpoint_every\": 2", "\"checkpoint_every\": 1, \"snapshot_every\": 2"),
            ("\"dev_sentences\": 2", "\"dev_sentences\": 0")));
        string output = Path.Combine(dir.Path, "model");
        var (exit, _, stderr) = CliRunner.Run("train", "--dataset", "conll03", "--config", config, "--out", output,
            "--max-sentences", "20", "--data", SharedData.DataDir);
        Assert.True(exit == 0, stderr);
        string[] snapshots = Directory.GetDirectories(Path.Combine(output, "steps")).Select(Path.GetFileName).Order()
            .ToArray()!;
        Assert.Equal(["2", "4"], snapshots);
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "model.safetensors")),
            File.ReadAllBytes(Path.Combine(output, "steps", "4", "model.safetensors")));
        Assert.Empty(Directory.GetFiles(output, "*.pending"));

        string averaged = Path.Combine(dir.Path, "averaged");
        var export = CliRunner.Run("model", "export", "--model", Path.Combine(output, "steps", "2"),
            "--model", Path.Combine(output, "steps", "4"), "--out", averaged);
        Assert.True(export.Exit == 0, export.Err);
        var extract = CliRunner.Run("extract", "--model", averaged, "--text", "EU rejects German call .");
        Assert.True(extract.Exit == 0, extract.Err);
    }

    [SharedDataFact]
    public void A_model_taught_to_read_its_text_bidirectionally_keeps_it_extracts_and_averages_only_with_its_kind()
    {
        using var dir = new TempDir();
        (string, string)[] oneStep =
        [
            ("\"steps\": 4", "\"steps\": 1"), ("\"dev_sentences\": 2", "\"dev_sentences\": 0"),
            ("\"vocab_size\": 1200", "\"vocab_size\": 1200, \"copy_aligned\": true"),
        ];
        string causalConfig = dir.File("causal.json", Tiny(oneStep));
        string bidirConfig = dir.File("bidir.json", Tiny(
            [.. oneStep, ("\"max_positions\": 256", "\"max_positions\": 256, \"bidirectional_text\": true")]));
        string causal = Path.Combine(dir.Path, "causal"), bidir = Path.Combine(dir.Path, "bidir");
        var first = CliRunner.Run("train", "--dataset", "conll03", "--config", causalConfig, "--out", causal,
            "--max-sentences", "20", "--data", SharedData.DataDir);
        Assert.True(first.Exit == 0, first.Err);

        // A causal model trained on with model.bidirectional_text becomes one that reads its text so.
        var second = CliRunner.Run("train", "--dataset", "conll03", "--config", bidirConfig, "--init", causal,
            "--out", bidir, "--max-sentences", "20", "--data", SharedData.DataDir);
        Assert.True(second.Exit == 0, second.Err);
        Assert.False(PaDeLLM.Model.Checkpoints.ModelConfig.Load(causal).BidirectionalText);
        Assert.True(PaDeLLM.Model.Checkpoints.ModelConfig.Load(bidir).BidirectionalText);
        var extract = CliRunner.Run("extract", "--model", bidir, "--text", "EU rejects German call .");
        Assert.True(extract.Exit == 0, extract.Err);

        var soup = CliRunner.Run("model", "export", "--model", bidir, "--model", causal,
            "--out", Path.Combine(dir.Path, "soup"));
        Assert.Equal(2, soup.Exit);
        Assert.Contains("only models that read alike average", soup.Err);
    }

    [SharedDataFact]
    public void Sigterm_stops_training_after_its_step_with_a_checkpoint_a_resume_continues()
    {
        using var dir = new TempDir();
        string config = dir.File("tiny.json", Tiny(
            ("\"steps\": 4", "\"steps\": 100000"), ("\"checkpoint_every\": 2", "\"checkpoint_every\": 100000")));
        string output = Path.Combine(dir.Path, "model");
        string log = Path.Combine(output, "train_log.jsonl");
        using var train = new PadellmProcess("train", "--dataset", "conll03", "--config", config, "--out", output,
            "--max-sentences", "40", "--data", SharedData.DataDir);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        bool Started() => File.Exists(log) && new FileInfo(log).Length > 0;
        while (!Started() && !train.HasExited && waited.Elapsed.TotalMinutes < 2)
        {
            Thread.Sleep(100);
        }

        Assert.False(train.HasExited, train.Error);
        train.StopAsync(TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("continue with --resume", train.Error);

        // No checkpoint was due: the one on disk is the stop's, at the step the log ends on.
        int saved = (int)JsonNode.Parse(File.ReadAllText(Path.Combine(output, "trainer_state.json")))!["step"]!;
        int[] steps = File.ReadAllLines(log).Select(l => (int)JsonNode.Parse(l)!["step"]!).ToArray();
        Assert.Equal(Enumerable.Range(1, saved), steps);

        var resumed = CliRunner.Run("train", "--dataset", "conll03", "--config", config, "--out", output,
            "--max-sentences", "40", "--data", SharedData.DataDir, "--resume", "--until-step", $"{saved + 1}");
        Assert.True(resumed.Exit == 0, resumed.Err);
        Assert.Contains($"step {saved}/100000", resumed.Err);
        Assert.Equal(saved + 1, File.ReadAllLines(log).Length);
    }

    private static string Tiny(params (string From, string To)[] edits) =>
        edits.Aggregate(TinyConfig, (c, e) => c.Replace(e.From, e.To, StringComparison.Ordinal));

    [Fact]
    public void Init_and_tokenizer_together_are_a_clear_error()
    {
        using var dir = new TempDir();
        var (exit, _, stderr) = CliRunner.Run("train", "--dataset", "conll03", "--out", dir.Path,
            "--init", dir.Path, "--tokenizer", dir.Path);
        Assert.Equal(2, exit);
        Assert.Contains("--init and --tokenizer exclude each other", stderr);
    }

    [Theory]
    [InlineData("""{"model": {"layers": -1}}""", "model.layers must be a positive integer")]
    [InlineData("""{"train": {"count_loss_weight": 0}}""",
        "bad.json: train.count_loss_weight must be above 0 and at most 100")]
    [InlineData("""{"augment": {"copies": 11}}""", "bad.json: augment.copies must be at most 10")]
    [InlineData("""{"augment": {"copies": 1, "mention_replacement": 0}}""",
        "bad.json: augment.mention_replacement must be above 0 and at most 1")]
    [InlineData("""{"augment": {"join_adjacent": 1}}""", "bad.json: augment.join_adjacent must be true or false")]
    [InlineData("""{"augment": {"copies": 1, "unseen_characters": 2}}""",
        "bad.json: augment.unseen_characters must be between 0 and 1")]
    public void A_bad_config_is_a_clear_error(string json, string error)
    {
        using var dir = new TempDir();
        string config = dir.File("bad.json", json);
        var (exit, _, stderr) = CliRunner.Run("train", "--dataset", "conll03", "--config", config, "--out", dir.Path);
        Assert.Equal(2, exit);
        Assert.Contains(error, stderr);
    }

    [SharedDataTheory]
    [InlineData("""{"augment": {"unseen_characters": 0.1}}""",
        "augment.unseen_characters writes into the replaced copies: set augment.copies as well")]
    [InlineData("""{"augment": {"copies": 1, "unseen_characters": 0.1}}""",
        "augment.unseen_characters needs the tokenizer before the data (--init or --tokenizer)")]
    public void Unseen_characters_without_copies_or_a_tokenizer_are_a_clear_error(string json, string error)
    {
        using var dir = new TempDir();
        string config = dir.File("unseen.json", json);
        var (exit, _, stderr) = CliRunner.Run("train", "--dataset", "resume", "--config", config,
            "--out", Path.Combine(dir.Path, "model"), "--data", SharedData.DataDir);
        Assert.Equal(2, exit);
        Assert.Contains(error, stderr);
    }

    private static string Predictions(string resultsFile) => string.Join("\n",
        JsonNode.Parse(File.ReadAllText(resultsFile))!.AsArray().Select(r => r!["pred"]!.ToJsonString()));
}
