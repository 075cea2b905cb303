using System.Text.Json.Nodes;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers;
using Xunit;

namespace PaDeLLM.Extraction.Tests;

/// <summary>
/// A model that reads its text bidirectionally (bidirectional_text): the prefix tree (batch), every sequence
/// alone (multi) and the model host's engine service (the pipeline's path) decode it alike, and the text really
/// is read so: the same weights read causally answer otherwise.
/// </summary>
public class BidirectionalTextTests
{
    [SharedDataFact]
    public async Task Every_path_reads_the_text_bidirectionally_and_agrees()
    {
        // The shipped Chinese weights, marked as reading their text bidirectionally and, a second copy, causally (a
        // fixed function all paths must compute alike, whichever way the weights were trained to read).
        using var dir = new TempDir();
        string bidirectional = MarkedCopy(dir.Path, "bidirectional", true);
        string causalDir = MarkedCopy(dir.Path, "causal", false);
        ITokenizer tokenizer = TokenizerLoader.Load(bidirectional);
        using DecoderModel model = DecoderModel.Load(bidirectional);
        using DecoderModel causal = DecoderModel.Load(causalDir);
        Assert.False(causal.Config.BidirectionalText);
        Assert.True(model.Config.BidirectionalText);
        LabelSchema schema = DatasetCatalog.Get("resume").Schema;
        var batch = new PadellmExtractor(model, tokenizer);
        var multi = new PadellmExtractor(model, tokenizer) { Mode = DecodingMode.Multi };
        var asCausal = new PadellmExtractor(causal, tokenizer);
        using var service = new PadellmEngineService(model, tokenizer);

        int differ = 0;
        foreach (Sentence s in DatasetCatalog.Get("resume").Read(SharedData.DataDir, DatasetSplit.Dev).Take(8))
        {
            var tree = batch.Extract(s.Text, schema).Entities;
            var alone = multi.Extract(s.Text, schema).Entities;
            ResultDocument hosted = await PadellmAlgorithm.RunAsync(
                null, s.Text, schema, new EngineSteps(service), () => DateTime.UtcNow);
            Assert.Equal(tree.Select(e => (e.Label, e.Text, e.Start)), alone.Select(e => (e.Label, e.Text, e.Start)));
            Assert.Equal(
                tree.Select(e => (e.Label, e.Text)).Order(), hosted.Entities.Select(e => (e.Label, e.Text)).Order());
            Assert.All(tree.Zip(alone), p => Assert.Equal(p.First.Probability, p.Second.Probability, 4));
            Assert.All(tree.OrderBy(e => (e.Label, e.Text)).Zip(hosted.Entities.OrderBy(e => (e.Label, e.Text))),
                p => Assert.Equal(p.First.Probability, p.Second.Probability, 4));

            // A host that did not count this text (a cache miss) decodes each mention from the text's prefix.
            using var cold = new PadellmEngineService(model, tokenizer);
            foreach (CountAnswer c in (await service.CountAsync(s.Text, schema)).Where(c => c.Count > 0).Take(2))
            {
                var call = new MentionCall(c.Label, c.Count!.Value, 1);
                MentionAnswer hit = await service.MentionAsync(s.Text, schema, call);
                MentionAnswer miss = await cold.MentionAsync(s.Text, schema, call);
                Assert.Equal(hit.Mention, miss.Mention);
                Assert.Equal(hit.LogProbability, miss.LogProbability, 4);
            }

            var causalEntities = asCausal.Extract(s.Text, schema).Entities;
            differ += tree.Sum(e => e.Probability).Equals(causalEntities.Sum(e => e.Probability)) ? 0 : 1;
        }

        Assert.True(
            differ > 0, "read causally, the same weights gave the same answers: the text was not read otherwise");
    }

    private static string MarkedCopy(string root, string name, bool bidirectionalText)
    {
        string source = Path.Combine(SharedData.RepoRoot, "models", "resume-zh"), dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        }

        string configPath = Path.Combine(dir, "config.json");
        JsonNode config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["bidirectional_text"] = bidirectionalText;
        File.WriteAllText(configPath, config.ToJsonString());
        return dir;
    }
}
