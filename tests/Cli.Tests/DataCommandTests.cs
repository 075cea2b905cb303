using System.Text.Json.Nodes;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Cli.Tests;

public class DataCommandTests
{
    [SharedDataFact]
    public void Stats_json_lists_every_dataset_and_split()
    {
        var (exit, stdout, stderr) = CliRunner.Run("data", "stats", "--data", SharedData.DataDir, "--json");
        Assert.True(exit == 0, stderr);
        var rows = JsonNode.Parse(stdout)!.AsArray();
        Assert.Equal(13, rows.Count); // six datasets × train/dev, and MSRA's one column file
        JsonNode conllTrain = rows.Single(r => (string)r!["dataset"]! == "conll03" && (string)r!["split"]! == "train")!;
        Assert.Equal(14041, (int)conllTrain["sentences"]!);
        Assert.Equal(23499, (int)conllTrain["mentions"]!);
        Assert.Equal(6600, (int)conllTrain["labels"]!["PER"]!);
        JsonNode genia = rows.Single(r => (string)r!["dataset"]! == "genia" && (string)r!["split"]! == "train")!;
        Assert.Equal(46142, (int)genia["mentions"]!);
        Assert.True((int)genia["nested_mentions"]! > 0);
    }

    [SharedDataFact]
    public void Reformulate_writes_padellm_examples()
    {
        using var tmp = new TempDir();
        string output = tmp.File("weibo.jsonl");
        var (exit, _, stderr) = CliRunner.Run("data", "reformulate", "--dataset", "weibo", "--split", "dev", "--format",
            "padellm", "--out", output, "--data", SharedData.DataDir);
        Assert.True(exit == 0, stderr);
        var lines = File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!).ToList();
        // Σ over sentences and the 8 labels of max(1, n): 270·8 slots, one more per mention beyond the first of a
        // label.
        Assert.Contains($"270 sentences -> {lines.Count} padellm examples", stderr);
        Assert.True(lines.Count >= 270 * 8);
        JsonNode first = lines[0];
        Assert.StartsWith("文本:\n", (string)first["prompt"]!);
        Assert.EndsWith("\n\n<数量>", (string)first["prompt"]!);
        Assert.True((bool)first["eos"]!);
    }

    [Fact]
    public void Missing_data_directory_and_unknown_dataset_are_clear_errors()
    {
        var missing = CliRunner.Run("data", "stats", "--data", "/nonexistent/data");
        Assert.Equal(2, missing.Exit);
        Assert.Contains("data directory '/nonexistent/data' not found", missing.Err);
        if (SharedData.Available)
        {
            var unknown = CliRunner.Run("data", "stats", "--dataset", "ontonotes", "--data", SharedData.DataDir);
            Assert.Equal(2, unknown.Exit);
            Assert.Contains("unknown dataset 'ontonotes'", unknown.Err);
            var test = CliRunner.Run("data", "reformulate", "--dataset", "conll03", "--split", "test", "--out",
                "/tmp/x.jsonl", "--data", SharedData.DataDir);
            Assert.Equal(2, test.Exit);
            Assert.Contains("held back", test.Err);
        }
    }
}
