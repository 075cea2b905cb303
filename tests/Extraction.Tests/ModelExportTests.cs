using System.Text.Json.Nodes;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Extraction.Tests;

/// <summary>`padellm model export` halves the weights to BF16 and the exported model extracts what the F32 one does.</summary>
[Collection(SyntheticModelCollection.Name)]
public sealed class ModelExportTests(SyntheticModelFixture trained)
{
    [Fact]
    public void A_bf16_export_is_half_the_size_and_extracts_the_same_entities()
    {
        using var dir = new TempDir();
        string exported = Path.Combine(dir.Path, "bf16");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Cli.CliApp.Run(["model", "export", "--model", trained.Directory, "--out", exported], new Cli.CliContext(stdout, stderr, interactive: false));
        Assert.True(exit == 0, stderr.ToString());
        long f32 = new FileInfo(Path.Combine(trained.Directory, "model.safetensors")).Length;
        long bf16 = new FileInfo(Path.Combine(exported, "model.safetensors")).Length;
        Assert.InRange(bf16, f32 / 2 - 4096, f32 / 2 + 4096);
        Assert.Equal("bfloat16", (string)JsonNode.Parse(File.ReadAllText(Path.Combine(exported, "config.json")))!["torch_dtype"]!);
        Assert.True(File.Exists(Path.Combine(exported, "tokenizer.json")));
        Assert.True(File.Exists(Path.Combine(exported, "labels.json")));

        foreach (var sentence in SyntheticNer.Generate(12, 77))
        {
            Assert.Equal(Entities(trained.Directory, sentence.Text), Entities(exported, sentence.Text));
        }
    }

    private static List<(string, string)> Entities(string model, string text)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Cli.CliApp.Run(["extract", "--model", model, "--text", text], new Cli.CliContext(stdout, stderr, interactive: false));
        Assert.True(exit == 0, stderr.ToString());
        return JsonNode.Parse(stdout.ToString())!["entities"]!.AsArray().Select(e => ((string)e!["label"]!, (string)e["text"]!)).Order().ToList();
    }
}
