using System.Text.Json.Nodes;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Cli.Tests;

/// <summary>
/// The pipeline's entry points as a person runs them: corpus (twice),
/// and every bad argument answered with one error line and exit code 2.
/// </summary>
public class PipelineCommandTests
{
    private const string TinyConfig = """
        {"model": {"hidden_size": 32, "layers": 1, "heads": 2, "intermediate_size": 64, "max_positions": 256},
         "tokenizer": {"vocab_size": 1200}, "train": {"steps": 2, "batch_size": 2, "warmup": 1},
        """ + """ "eval": {"dev_sentences": 0}}""";

    [SharedDataFact]
    public void Corpus_writes_a_result_per_line_and_a_manifest_and_a_second_run_does_nothing()
    {
        using var dir = new TempDir();
        string model = Path.Combine(dir.Path, "model");
        var train = CliRunner.Run("train", "--dataset", "conll03", "--config", dir.File("tiny.json", TinyConfig),
            "--out", model, "--max-sentences", "30", "--data", SharedData.DataDir);
        Assert.True(train.Exit == 0, train.Err);
        Assert.True(File.Exists(Path.Combine(model, "labels.json")));

        string[] dev = File.ReadLines(Path.Combine(SharedData.DataDir, "padellm", "conll03", "dev.json"))
            .Take(6).ToArray();
        string corpus = dir.File("dev6.jsonl", string.Join("\n", dev));
        string output = Path.Combine(dir.Path, "results");
        var first = CliRunner.Run("corpus", "--in", corpus, "--out", output, "--model", model, "--concurrency", "3");
        Assert.True(first.Exit == 0, first.Err);
        Assert.Contains(
            "dev6.jsonl: 6 documents, 6 extracted, 0 reused, 0 failed", first.Err, StringComparison.Ordinal);
        var names = Directory.GetFiles(Path.Combine(output, "dev6"))
            .Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["1.json", "2.json", "3.json", "4.json", "5.json", "6.json", "manifest.json"], names);
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal((string)JsonNode.Parse(dev[i])![0]!,
                (string)JsonNode.Parse(File.ReadAllText(Path.Combine(output, "dev6", $"{i + 1}.json")))!["text"]!);
        }

        var second = CliRunner.Run("corpus", "--in", corpus, "--out", output, "--model", model);
        Assert.True(second.Exit == 0, second.Err);
        Assert.Contains(
            "dev6.jsonl: 6 documents, 0 extracted, 6 reused, 0 failed", second.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_arguments_end_in_one_error_line_and_exit_code_2()
    {
        using var dir = new TempDir();
        string aFile = dir.File("a.txt", "x");
        (string[] Args, string Expected)[] cases =
        [
            (["corpus", "--in", dir.Path, "--out", Path.Combine(dir.Path, "o"), "--model", dir.Path],
                "no tokenizer.json"),
            (["corpus", "--in", aFile, "--out", aFile, "--model", dir.Path], "is a file"),
            (["corpus", "--in", aFile, "--out", dir.Path, "--concurrency", "0"], "--concurrency"),
            (["corpus", "--in", "azure:corpus", "--out", dir.Path, "--connection", "AccountName=x"],
                "neither AccountKey nor SharedAccessSignature"),
            (["corpus", "--in", "azure:Bad_Name", "--out", dir.Path, "--connection", "UseDevelopmentStorage=true"],
                "invalid container name"),
            (["ingest", "--queue", "Bad_Queue", "--out", dir.Path], "--queue"),
            (["serve", "--model", Path.Combine(dir.Path, "none")], "not found"),
            (["extract", "--model", Path.Combine(dir.Path, "none"), "--text", "x"], "not found"),
            (["serve", "--api-key", " "], "--api-key is empty"),
            (["worker"], "--durable is required"),
            (["worker", "--durable", "UseDevelopmentStorage=true", "--task-hub", "a_b"], "--task-hub"),
            (["corpus", "--in", aFile, "--out", dir.Path, "--no-worker"], "--no-worker needs --durable"),
        ];
        foreach ((string[] args, string expected) in cases)
        {
            var (exit, _, err) = CliRunner.Run(args);
            Assert.True(exit == 2, $"{string.Join(' ', args)}: exit {exit}: {err}");
            Assert.StartsWith("error: ", err, StringComparison.Ordinal);
            Assert.Contains(expected, err, StringComparison.Ordinal);
        }
    }
}
