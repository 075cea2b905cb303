using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Cli.Tests;

public class ScoreAndDedupCommandTests
{
    private static string Sample(string name) => Path.Combine(SharedData.DataDir, "official-results-sample", name);

    [SharedDataTheory]
    [InlineData("none", "raw")]
    [InlineData("paper", "dedup")]
    public void Score_json_gives_the_expected_counts(string dedup, string section)
    {
        var (exit, stdout, stderr) = CliRunner.Run("score", Sample("conll03_theory_sample.json"), "--dedup",
            dedup, "--json");
        Assert.True(exit == 0, stderr);
        JsonNode got = JsonNode.Parse(stdout)!;
        JsonNode expected = JsonNode.Parse(File.ReadAllText(Sample("expected_scores.json")))![section]!;
        foreach (string k in new[] { "tp", "fp", "fn" })
        {
            Assert.Equal((long)expected[k]!, (long)got[k]!);
        }

        Assert.Equal((double)expected["micro_f1"]!, (double)got["micro_f1"]!, 12);
        Assert.Equal(300, (int)got["records"]!);
        Assert.Equal(4, got["per_label"]!.AsObject().Count);

        // The breakdown by gold strings per pair partitions the same strings.
        JsonArray groups = got["by_gold_count"]!.AsArray();
        foreach (string k in new[] { "tp", "fp", "fn" })
        {
            Assert.Equal((long)got[k]!, groups.Sum(g => (long)g![k]!));
        }

        Assert.Equal(0, (long)groups[0]!["fn"]!);
        Assert.True(groups.All(g => (long)g!["counted_right"]! <= (long)g["pairs"]!));
    }

    [SharedDataFact]
    public void Score_table_is_readable()
    {
        var (exit, stdout, _) = CliRunner.Run("score", Sample("conll03_theory_sample.json"));
        Assert.Equal(0, exit);
        Assert.Contains("micro", stdout);
        Assert.Contains("89.30", stdout); // 0.8930 micro-F1, the paper metric on the raw sample
    }

    [SharedDataFact]
    public void Dedup_reproduces_the_published_file()
    {
        using var tmp = new TempDir();
        string output = tmp.File("dedup.json");
        var (exit, _, stderr) = CliRunner.Run("dedup", Sample("conll03_theory_sample.json"), output);
        Assert.True(exit == 0, stderr);
        Assert.Contains("26 changed", stderr);
        JsonNode mine = JsonNode.Parse(File.ReadAllText(output))!;
        JsonNode published = JsonNode.Parse(File.ReadAllText(Sample("conll03_theory_sample_dedup.json")))!;
        Assert.True(JsonNode.DeepEquals(published, mine));
    }

    [Fact]
    public void Bad_results_files_are_one_clear_error_line()
    {
        using var tmp = new TempDir();
        var cases = new (string Contents, string Message)[]
        {
            ("", "file is empty"),
            ("[{\"texts\": \"a\", \"pred\": {\"PER\": [[\"a\", 0.5]]}, \"gt\": {}}, {\"texts\": \"b\"",
                "malformed JSON"),
            ("[{\"texts\": \"a\", \"pred\": {\"PER\": [[\"a\"]]}, \"gt\": {}}]",
                "record 1.pred.PER[0]: expected [mention, probability]"),
            ("{\"texts\": \"a\"}", "expected a JSON array"),
            ("[{\"pred\": {}, \"gt\": {}}]", "record 1.texts: missing"),
        };
        foreach (var (contents, message) in cases)
        {
            string path = tmp.File("bad.json", contents);
            var (exit, stdout, stderr) = CliRunner.Run("score", path);
            Assert.Equal(2, exit);
            Assert.Empty(stdout);
            Assert.StartsWith("error: " + path, stderr);
            Assert.Contains(message, stderr);
        }

        var missing = CliRunner.Run("score", Path.Combine(tmp.Path, "nope.json"));
        Assert.Equal(2, missing.Exit);
        Assert.Contains("cannot read", missing.Err);
    }

    [Fact]
    public void Unknown_options_and_values_are_usage_errors()
    {
        Assert.NotEqual(0, CliRunner.Run("score", "x.json", "--dedup", "sometimes").Exit);
        Assert.NotEqual(0, CliRunner.Run("frobnicate").Exit);
    }
}
