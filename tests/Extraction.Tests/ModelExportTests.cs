using System.Text.Json.Nodes;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Extraction.Tests;

/// <summary>
/// `padellm model export` halves the weights to BF16 and the exported model extracts what the F32 one does.
/// </summary>
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
        int exit = Cli.CliApp.Run(["model", "export", "--model", trained.Directory, "--out", exported],
            new Cli.CliContext(stdout, stderr, interactive: false));
        Assert.True(exit == 0, stderr.ToString());
        long f32 = new FileInfo(Path.Combine(trained.Directory, "model.safetensors")).Length;
        long bf16 = new FileInfo(Path.Combine(exported, "model.safetensors")).Length;
        Assert.InRange(bf16, f32 / 2 - 4096, f32 / 2 + 4096);
        Assert.Equal("bfloat16",
            (string)JsonNode.Parse(File.ReadAllText(Path.Combine(exported, "config.json")))!["torch_dtype"]!);
        Assert.True(File.Exists(Path.Combine(exported, "tokenizer.json")));
        Assert.True(File.Exists(Path.Combine(exported, "labels.json")));

        foreach (var sentence in SyntheticNer.Generate(12, 77))
        {
            Assert.Equal(Entities(trained.Directory, sentence.Text), Entities(exported, sentence.Text));
        }
    }

    [Fact]
    public void Several_models_export_their_mean_and_must_share_a_tokenizer()
    {
        using var dir = new TempDir();
        string single = Path.Combine(dir.Path, "single"), twice = Path.Combine(dir.Path, "twice");
        Assert.Equal(0, Export(out _, "--model", trained.Directory, "--out", single, "--dtype", "f32"));
        Assert.Equal(0, Export(out string said, "--model", trained.Directory, "--model", trained.Directory,
            "--out", twice, "--dtype", "f32"));
        Assert.Contains("the mean of 2 models' weights", said);

        // A model averaged with itself is itself, bit for bit (the arithmetic is the mean's own test).
        Assert.Equal(File.ReadAllBytes(Path.Combine(single, "model.safetensors")),
            File.ReadAllBytes(Path.Combine(twice, "model.safetensors")));

        string other = Path.Combine(dir.Path, "other-tokenizer");
        Directory.CreateDirectory(other);
        foreach (string f in Directory.GetFiles(single))
        {
            File.Copy(f, Path.Combine(other, Path.GetFileName(f)));
        }

        File.AppendAllText(Path.Combine(other, "tokenizer.json"), " ");
        Assert.Equal(2, Export(out string refused, "--model", single, "--model", other,
            "--out", Path.Combine(dir.Path, "mixed")));
        Assert.Contains("its tokenizer.json differs", refused);
    }

    private static int Export(out string stderr, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = Cli.CliApp.Run(["model", "export", .. args], new Cli.CliContext(output, error, interactive: false));
        stderr = error.ToString();
        return exit;
    }

    private static List<(string, string)> Entities(string model, string text)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Cli.CliApp.Run(["extract", "--model", model, "--text", text],
            new Cli.CliContext(stdout, stderr, interactive: false));
        Assert.True(exit == 0, stderr.ToString());
        return JsonNode.Parse(stdout.ToString())!["entities"]!.AsArray()
            .Select(e => ((string)e!["label"]!, (string)e["text"]!)).Order().ToList();
    }
}
