using Microsoft.Extensions.Configuration;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Extraction;
using PaDeLLM.Functions.Configuration;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Functions.Tests;

/// <summary>The app settings: their names, the engine and schema they choose, and errors that name them.</summary>
public sealed class ConfigurationTests
{
    private static string ModelDir => Path.Combine(SharedData.RepoRoot, "models", "conll03-en");

    [Fact]
    public void SettingsBindFromTheirAppSettingNames()
    {
        IConfiguration config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PADELLM_MODEL"] = "/m",
            ["PADELLM_GPU_HOST_URL"] = "https://gpu.internal",
            ["PADELLM_GPU_HOST_KEY"] = "k",
            ["PADELLM_LABELS"] = "PER,LOC",
            ["PADELLM_RESULTS_CONTAINER"] = "out",
            ["PADELLM_CORPUS_CONCURRENCY"] = "3",
            ["PADELLM_CORPUS_CHUNK_SIZE"] = "64",
            ["PADELLM_MAX_TEXT_CHARS"] = "100",
        }).Build();
        PadellmFunctionsOptions o = config.Get<PadellmFunctionsOptions>()!;
        Assert.Equal(("/m", "https://gpu.internal", "k", "PER,LOC"), (o.Model, o.GpuHostUrl, o.GpuHostKey, o.Labels));
        Assert.Equal(("out", 3, 64), (o.ResultsContainer, o.CorpusConcurrency, o.CorpusChunkSize));
        Assert.Equal(100, o.MaxTextChars);
        Assert.Empty(o.Problems());
    }

    [Fact]
    public void DefaultsAreTheDeployedNamesAndUsable()
    {
        var o = new PadellmFunctionsOptions();
        Assert.Equal(("results", 8, 256), (o.ResultsContainer, o.CorpusConcurrency, o.CorpusChunkSize));
        Assert.Equal(8_192, o.MaxTextChars);
        Assert.Empty(o.Problems());
    }

    [Fact]
    public void UnusableSettingsAreNamed()
    {
        var o = new PadellmFunctionsOptions
        {
            CorpusConcurrency = 0,
            CorpusChunkSize = 0,
            MaxTextChars = 0,
            GpuHostUrl = "gpu",
        };
        string all = string.Join("\n", o.Problems());
        foreach (string setting in new[]
        {
            "PADELLM_CORPUS_CONCURRENCY", "PADELLM_CORPUS_CHUNK_SIZE",
            "PADELLM_MAX_TEXT_CHARS", "PADELLM_GPU_HOST_URL",
        })
        {
            Assert.Contains(setting, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void WithoutAModelTheStartupErrorNamesBothSettings()
    {
        using var http = new HttpClient();
        var e = Assert.Throws<InvalidOperationException>(
            () => EngineFactory.Create(new PadellmFunctionsOptions(), http));
        Assert.Contains("PADELLM_GPU_HOST_URL", e.Message, StringComparison.Ordinal);
        Assert.Contains("PADELLM_MODEL", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingModelDirectoryIsNamed()
    {
        using var http = new HttpClient();
        var e = Assert.Throws<InvalidOperationException>(() =>
            EngineFactory.Create(new PadellmFunctionsOptions { Model = "/no/such/model" }, http));
        Assert.Contains("PADELLM_MODEL", e.Message, StringComparison.Ordinal);
        Assert.Contains("/no/such/model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheModelHostWinsOverAModelDirectory()
    {
        using var http = new HttpClient();
        IPadellmEngine engine = EngineFactory.Create(
            new PadellmFunctionsOptions { Model = ModelDir, GpuHostUrl = "http://gpu.internal:8080" }, http);
        Assert.IsType<HttpPadellmEngine>(engine);
    }

    [Fact]
    public void AModelDirectoryRunsInProcessUnderItsName()
    {
        using var http = new HttpClient();
        IPadellmEngine engine = EngineFactory.Create(new PadellmFunctionsOptions { Model = ModelDir }, http);
        using var service = Assert.IsType<PadellmEngineService>(engine);
        Assert.Equal("conll03-en", service.ModelName);
    }

    [Fact]
    public void TheSchemaIsTheModelsOwnElseCoNll2003sAndLabelsChooseASubset()
    {
        Assert.Equal(["ORG", "MISC", "PER", "LOC"], PipelineSchema.From(new() { Model = ModelDir }).Schema.Keys);
        Assert.Equal("conll03", PipelineSchema.From(new()).Schema.Name);
        PipelineSchema subset = PipelineSchema.From(new() { Model = ModelDir, Labels = " PER , LOC " });
        Assert.Equal(["PER", "LOC"], subset.Schema.Keys);

        // Labels of another dataset take its prompt names; unknown ones prompt by their key.
        PipelineSchema resume = PipelineSchema.From(new() { Labels = "NAME,ORG" });
        Assert.Equal("resume", resume.Schema.Name);
        Assert.Equal("名称", resume.Schema.Get("NAME").PromptName);
        Assert.Equal("TOOL", PipelineSchema.From(new() { Labels = "TOOL" }).Schema.Get("TOOL").PromptName);

        var e = Assert.Throws<InvalidOperationException>(() => PipelineSchema.From(new() { Labels = "PER,PER" }));
        Assert.Contains("PADELLM_LABELS", e.Message, StringComparison.Ordinal);
    }
}
