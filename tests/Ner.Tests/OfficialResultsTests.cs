using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Metrics;
using PaDeLLM.Ner.Results;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Ner.Tests;

/// <summary>The evaluator against the paper's own outputs and the scores its metric gives on them.</summary>
public class OfficialResultsTests
{
    private static string Sample(string name) => Path.Combine(SharedData.DataDir, "official-results-sample", name);

    private static readonly string[] Conll03Order = ["ORG", "MISC", "PER", "LOC"];

    private static (long Tp, long Fp, long Fn, double F1) Expected(string section)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Sample("expected_scores.json")));
        JsonElement s = doc.RootElement.GetProperty(section);
        return (s.GetProperty("tp").GetInt64(), s.GetProperty("fp").GetInt64(), s.GetProperty("fn").GetInt64(),
            s.GetProperty("micro_f1").GetDouble());
    }

    private static PrfCounts Score(IEnumerable<OfficialRecord> records, DedupPolicy policy)
    {
        var metric = new PaperMicroF1();
        foreach (OfficialRecord r in records)
        {
            var pred = MentionDeduplicator.Apply(r.Predicted, Conll03Order, policy);
            metric.Add(pred.ToDictionary(p => p.Label, p => p.Mentions.Select(m => m.Text).ToList()), r.Gold);
        }

        return metric.Micro;
    }

    [SharedDataTheory]
    [InlineData("raw", DedupPolicy.None)]
    [InlineData("dedup", DedupPolicy.Paper)]
    public void Paper_metric_reproduces_the_expected_scores(string section, DedupPolicy policy)
    {
        var records = OfficialResultsFile.Load(Sample("conll03_theory_sample.json"));
        var (tp, fp, fn, f1) = Expected(section);
        PrfCounts c = Score(records, policy);
        Assert.Equal((tp, fp, fn), (c.Tp, c.Fp, c.Fn));
        Assert.Equal(f1, c.F1, 12);
    }

    [SharedDataFact]
    public void Scoring_the_published_dedup_file_without_dedup_gives_the_dedup_scores()
    {
        var records = OfficialResultsFile.Load(Sample("conll03_theory_sample_dedup.json"));
        var (tp, fp, fn, _) = Expected("dedup");
        PrfCounts c = Score(records, DedupPolicy.None);
        Assert.Equal((tp, fp, fn), (c.Tp, c.Fp, c.Fn));
    }

    [SharedDataFact]
    public void Paper_dedup_reproduces_the_published_dedup_file_record_for_record()
    {
        var raw = OfficialResultsFile.Load(Sample("conll03_theory_sample.json"));
        var published = JsonNode.Parse(File.ReadAllText(Sample("conll03_theory_sample_dedup.json")))!.AsArray();
        Assert.Equal(published.Count, raw.Count);
        int changed = 0;
        for (int i = 0; i < raw.Count; i++)
        {
            var kept = MentionDeduplicator.Apply(raw[i].Predicted, Conll03Order, DedupPolicy.Paper);
            JsonObject mine = raw[i].WithPredictions(kept);
            Assert.True(JsonNode.DeepEquals(published[i], mine), $"record {i + 1} (id {raw[i].Node["id"]}) differs");
            if (!JsonNode.DeepEquals(raw[i].Node["pred"], mine["pred"]))
            {
                changed++;
            }
        }

        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Sample("expected_scores.json")));
        Assert.Equal(expected.RootElement.GetProperty("records_with_cross_label_duplicates").GetInt32(), changed);
    }
}
