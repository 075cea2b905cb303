using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers.HuggingFace;
using Xunit;

namespace PaDeLLM.Extraction.Tests;

/// <summary>
/// A whole PaDeLLM request on the GPU backend (the ILGPU kernels; ILGPU's CPU accelerator without a
/// CUDA device) against the CPU engine, on the synthetic model trained here: the same entities,
/// the same probabilities, copy-constrained or not, in tree (batch) mode.
/// </summary>
[Collection(SyntheticModelCollection.Name)]
public class GpuBackendExtractionTests(SyntheticModelFixture trained)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Entities_and_probabilities_equal_the_cpu_engines(bool copyMentions)
    {
        var tokenizer = HfTokenizer.Load(Path.Combine(trained.Directory, "tokenizer.json"));
        using var cpu = DecoderModel.Load(trained.Directory);
        using var gpu = DecoderModel.Load(trained.Directory, DecoderBackend.Gpu);
        Assert.StartsWith("gpu on ", gpu.Backend, StringComparison.Ordinal);
        var onCpu = new PadellmExtractor(cpu, tokenizer) { CopyMentions = copyMentions };
        var onGpu = new PadellmExtractor(gpu, tokenizer) { CopyMentions = copyMentions };
        int entities = 0;
        foreach (Sentence s in SyntheticNer.Generate(8, 3))
        {
            IReadOnlyList<ResultEntity> expected = onCpu.Extract(s.Text, SyntheticNer.Schema).Entities;
            IReadOnlyList<ResultEntity> actual = onGpu.Extract(s.Text, SyntheticNer.Schema).Entities;
            AssertSame(expected, actual);
            entities += expected.Count;
        }

        Assert.True(entities >= 8, $"only {entities} entities: the comparison would say little");
    }

    [Fact]
    public void A_model_that_reads_its_text_bidirectionally_decodes_as_on_the_cpu()
    {
        // The trained weights marked bidirectional_text: a fixed function the two backends must compute alike.
        using var dir = new TempDir();
        foreach (string file in Directory.GetFiles(trained.Directory))
        {
            File.Copy(file, Path.Combine(dir.Path, Path.GetFileName(file)));
        }

        string config = Path.Combine(dir.Path, "config.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!;
        json["bidirectional_text"] = true;
        File.WriteAllText(config, json.ToJsonString());
        var tokenizer = HfTokenizer.Load(Path.Combine(dir.Path, "tokenizer.json"));
        using var cpu = DecoderModel.Load(dir.Path);
        using var gpu = DecoderModel.Load(dir.Path, DecoderBackend.Gpu);
        Assert.True(gpu.Config.BidirectionalText);
        using var causal = DecoderModel.Load(trained.Directory); // one accelerator open at a time
        var onCpu = new PadellmExtractor(cpu, tokenizer);
        var onGpu = new PadellmExtractor(gpu, tokenizer);
        var asCausal = new PadellmExtractor(causal, tokenizer);
        int differ = 0;
        foreach (Sentence s in SyntheticNer.Generate(4, 5))
        {
            double causalSum = asCausal.Extract(s.Text, SyntheticNer.Schema).Entities.Sum(e => e.Probability);
            IReadOnlyList<ResultEntity> expected = onCpu.Extract(s.Text, SyntheticNer.Schema).Entities;
            IReadOnlyList<ResultEntity> actual = onGpu.Extract(s.Text, SyntheticNer.Schema).Entities;
            AssertSame(expected, actual);
            differ += Math.Abs(actual.Sum(e => e.Probability) - causalSum) > 1e-6 ? 1 : 0;
        }

        Assert.True(differ > 0, "read causally, the weights answered as on the GPU backend: the flag was lost there");
    }

    // The same entities at the same places, with probabilities equal to 1e-4.
    private static void AssertSame(IReadOnlyList<ResultEntity> expected, IReadOnlyList<ResultEntity> actual)
    {
        Assert.Equal(
            expected.Select(e => (e.Label, e.Text, e.Start)), actual.Select(e => (e.Label, e.Text, e.Start)));
        Assert.All(expected.Zip(actual), p => Assert.True(
            Math.Abs(p.First.Probability - p.Second.Probability) <= 1e-4,
            $"{p.First.Text}: {p.First.Probability} on the CPU, {p.Second.Probability} on the GPU backend"));
    }
}
