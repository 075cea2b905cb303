using System.Text.Json.Nodes;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Cli.Tests;

public class ModelCommandTests
{
    private static string Model(string name) => Path.Combine(SharedData.Fixtures, "models", name);

    [SharedDataTheory]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void Generate_json_gives_the_golden_greedy_tokens(string backend)
    {
        JsonNode golden = JsonNode.Parse(
            File.ReadAllText(Path.Combine(Model("llama-tiny"), "golden.json")))!["greedy"]!;
        string prompt = string.Join(',', golden["prompt"]!.AsArray().Select(t => (int)t!));
        int n = golden["new_tokens"]!.AsArray().Count;
        var (exit, stdout, stderr) = CliRunner.Run("model", "generate", "--model", Model("llama-tiny"), "--ids", prompt,
            "--max-new", n.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", "--backend", backend);
        Assert.True(exit == 0, stderr);
        JsonNode got = JsonNode.Parse(stdout)!;
        Assert.Equal(golden["new_tokens"]!.AsArray().Select(t => (int)t!),
            got["tokens"]!.AsArray().Select(t => (int)t!));
    }

    [SharedDataTheory]
    [InlineData("llama-tiny")]
    [InlineData("qwen2-tiny-tied-bf16")]
    public void Logits_on_the_gpu_backend_equal_golden(string name)
    {
        // Without a CUDA device the ILGPU kernels run on ILGPU's CPU accelerator, and the command says so.
        JsonNode golden = JsonNode.Parse(File.ReadAllText(Path.Combine(Model(name), "golden.json")))!;
        int[] ids = golden["input_ids"]![0]!.AsArray().Select(t => (int)t!).ToArray();
        var (exit, stdout, stderr) = CliRunner.Run("model", "logits", "--model", Model(name), "--ids",
            string.Join(',', ids), "--json", "--backend", "gpu");
        Assert.True(exit == 0, stderr);
        Assert.Contains("backend: gpu on ", stderr);
        JsonArray rows = JsonNode.Parse(stdout)!["logits"]!.AsArray();
        JsonArray expected = golden["logits"]!.AsArray();
        int vocab = rows[0]!.AsArray().Count;
        double worst = 0;
        for (int t = 0; t < ids.Length; t++)
        {
            for (int v = 0; v < vocab; v++)
            {
                worst = Math.Max(worst, Math.Abs((double)rows[t]![v]! - (double)expected[(t * vocab) + v]!));
            }
        }

        Assert.True(worst <= 2e-4, $"max |logit - golden| = {worst:E2}");
    }

    [SharedDataFact]
    public void Logits_json_has_one_row_per_position()
    {
        var (exit, stdout, _) = CliRunner.Run("model", "logits", "--model", Model("qwen2-tiny-tied-bf16"), "--ids",
            "1,5,17", "--json");
        Assert.Equal(0, exit);
        JsonNode got = JsonNode.Parse(stdout)!;
        Assert.Equal(3, got["logits"]!.AsArray().Count);
        Assert.Equal(301, got["logits"]![0]!.AsArray().Count);
    }

    [SharedDataTheory]
    [InlineData("1,x,3", "'x' (item 2) is not a token id")]
    [InlineData("1,-3", "'-3' (item 2) is not a token id")]
    [InlineData("5,99999", "outside the vocabulary of 301")]
    [InlineData(",", "no token ids")]
    public void Bad_ids_are_clear_errors(string ids, string message)
    {
        var (exit, _, stderr) = CliRunner.Run("model", "logits", "--model", Model("llama-tiny"), "--ids", ids);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void A_directory_without_a_checkpoint_is_a_clear_error()
    {
        using var dir = new TempDir();
        var (exit, _, stderr) = CliRunner.Run("model", "generate", "--model", dir.Path, "--ids", "1");
        Assert.Equal(2, exit);
        Assert.Contains("config.json", stderr);
    }

    [Fact]
    public void A_grown_shipped_model_extracts_what_it_extracted_before()
    {
        // The Chinese model grown wider and deeper (function-preserving) gives the same entities and probabilities.
        string shipped = Path.Combine(SharedData.RepoRoot, "models", "resume-zh");
        using var dir = new TempDir();
        string grown = Path.Combine(dir.Path, "grown");
        var grow = CliRunner.Run("model", "grow", "--model", shipped, "--out", grown, "--hidden", "448", "--heads", "7",
            "--intermediate", "1152", "--layers", "7");
        Assert.True(grow.Exit == 0, grow.Err);
        Assert.Contains("hidden 384 -> 448, heads 6 -> 7, MLP 1024 -> 1152, layers 6 -> 7", grow.Err);
        const string text = "吴重阳，中国国籍，大学本科，教授级高工，历任邮电部侯马电缆厂仪表试制组长、光缆分厂副厂长。";
        JsonNode Extract(string model)
        {
            var (exit, stdout, stderr) = CliRunner.Run("extract", "--model", model, "--text", text);
            Assert.True(exit == 0, stderr);
            return JsonNode.Parse(stdout)!["entities"]!;
        }

        JsonArray before = Extract(shipped).AsArray(), after = Extract(grown).AsArray();
        Assert.NotEmpty(before);
        Assert.Equal(before.Select(e => $"{e!["label"]} {e["text"]} {e["start"]}"),
            after.Select(e => $"{e!["label"]} {e["text"]} {e["start"]}"));
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Equal((double)before[i]!["probability"]!, (double)after[i]!["probability"]!, 4);
        }
    }

    [Fact]
    public void Growing_into_a_smaller_shape_is_a_clear_error()
    {
        using var dir = new TempDir();
        var (exit, _, stderr) = CliRunner.Run("model", "grow", "--model",
            Path.Combine(SharedData.RepoRoot, "models", "resume-zh"), "--out", dir.Path, "--layers", "2");
        Assert.Equal(2, exit);
        Assert.Contains("cannot grow the model: layers 2 are fewer than the model's 6", stderr);
    }
}
