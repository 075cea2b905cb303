using System.Text.Json.Nodes;
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
        Assert.EndsWith(Path.Combine("models", "conll03-en"), (string)result["model"]!, StringComparison.Ordinal);
        Assert.Equal(text, (string)result["text"]!);
        Assert.Empty(result["parse_failures"]!.AsArray());
        foreach (JsonNode? e in result["entities"]!.AsArray())
        {
            Assert.Contains((string)e!["label"]!, new[] { "ORG", "MISC", "PER", "LOC" });
            foreach (JsonNode? span in e["spans"]!.AsArray())
            {
                Assert.Equal((string)e["text"]!, text[(int)span![0]!..(int)span[1]!]);
            }

            Assert.InRange((double)e["probability"]!, 0, 1);
        }

        // The shipped weights are BF16 and within the size the project allows.
        long bytes = new DirectoryInfo(Path.GetDirectoryName((string)result["model"]!)!).GetDirectories("conll03-en")[0].GetFiles().Sum(f => f.Length);
        Assert.InRange(bytes, 1, 40L << 20);
        Assert.Equal("bfloat16", (string)JsonNode.Parse(File.ReadAllText(Path.Combine((string)result["model"]!, "config.json")))!["torch_dtype"]!);
    }
}
