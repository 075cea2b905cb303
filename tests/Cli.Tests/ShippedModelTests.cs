using System.Text.Json.Nodes;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Cli.Tests;

/// <summary>The README's first command: extract with no --model uses the model shipped in the checkout.</summary>
public class ShippedModelTests
{
    [Fact]
    public void Extract_runs_on_the_shipped_model_with_no_download()
    {
        const string text = "EU rejects German call to boycott British lamb .";
        var (exit, stdout, stderr) = CliRunner.Run("extract", "--text", text);
        Assert.True(exit == 0, stderr);
        JsonNode result = JsonNode.Parse(stdout)!;
        Assert.Equal("conll03-en", (string)result["model"]!);
        Assert.Equal(text, (string)result["text"]!);
        Assert.Empty(result["failures"]!.AsArray());
        foreach (JsonNode? e in result["entities"]!.AsArray())
        {
            Assert.Contains((string)e!["label"]!, new[] { "ORG", "MISC", "PER", "LOC" });
            Assert.Equal((string)e["text"]!, text[(int)e["start"]!..(int)e["end"]!]);
            Assert.InRange((double)e["probability"]!, 0, 1);
        }

        // The shipped weights are BF16 and within the size the project allows.
        string model = Path.Combine(SharedData.RepoRoot, "models", "conll03-en");
        Assert.InRange(new DirectoryInfo(model).GetFiles().Sum(f => f.Length), 1, 40L << 20);
        Assert.Equal("bfloat16",
            (string)JsonNode.Parse(File.ReadAllText(Path.Combine(model, "config.json")))!["torch_dtype"]!);
    }
}
