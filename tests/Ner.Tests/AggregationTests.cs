using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using Xunit;

namespace PaDeLLM.Ner.Tests;

public class AggregationTests
{
    private static readonly LabelSchema Schema = DatasetCatalog.Get("conll03").Schema;

    [Fact]
    public void Every_kept_mention_carries_all_its_spans_and_unfound_ones_are_flagged()
    {
        const string text = "Jordan met Jordan in Amman .";
        var preds = new[]
        {
            new MentionPrediction("PER", 1, "Jordan", Math.Log(0.9)),
            new MentionPrediction("LOC", 1, "Amman", Math.Log(0.8)),
            new MentionPrediction("LOC", 2, "Jordan", Math.Log(0.4)),
            new MentionPrediction("ORG", 1, "UNICEF", Math.Log(0.3)),
        };
        ExtractionResult r = ResultAggregator.Aggregate(text, Schema, preds, DedupPolicy.Paper);
        Assert.Equal(["UNICEF", "Jordan", "Amman"], r.Entities.Select(e => e.Text)); // schema order ORG, PER, LOC
        ExtractedEntity jordan = r.Entities.Single(e => e.Text == "Jordan");
        Assert.Equal("PER", jordan.Label);
        Assert.Equal([new CharSpan(0, 6), new CharSpan(11, 17)], jordan.Spans);
        Assert.Equal(0.9, jordan.Probability, 12);
        Assert.Equal(new CharSpan(21, 26), r.Entities.Single(e => e.Text == "Amman").Spans.Single());
        Assert.Equal("UNICEF", Assert.Single(r.Unresolved).Text);
    }

    // A weak model may write the same string for <mention 1> and <mention 2>: one entity, not two with the same spans.
    [Theory]
    [InlineData(DedupPolicy.Paper)]
    [InlineData(DedupPolicy.None)]
    public void A_string_predicted_twice_under_one_label_is_one_entity_at_its_best_probability(DedupPolicy policy)
    {
        const string text = "the United Nations and the United Nations .";
        var preds = new[]
        {
            new MentionPrediction("ORG", 1, "United Nations", Math.Log(0.5)),
            new MentionPrediction("ORG", 2, "United Nations", Math.Log(0.7)),
            new MentionPrediction("ORG", 3, "Nations", Math.Log(0.2)),
        };
        ExtractionResult r = ResultAggregator.Aggregate(text, Schema, preds, policy);
        Assert.Equal(["United Nations", "Nations"], r.Entities.Select(e => e.Text));
        ExtractedEntity un = r.Entities[0];
        Assert.Equal(0.7, un.Probability, 12);
        Assert.Equal(2, un.K);
        Assert.Equal([new CharSpan(4, 18), new CharSpan(27, 41)], un.Spans);
    }

    [Fact]
    public void Span_locator_finds_overlapping_occurrences()
    {
        Assert.Equal([new CharSpan(0, 2), new CharSpan(1, 3)], SpanLocator.FindAll("aaa", "aa"));
        Assert.Empty(SpanLocator.FindAll("abc", "abcd"));
        Assert.Empty(SpanLocator.FindAll("abc", ""));
    }

    [Fact]
    public void A_prediction_outside_the_schema_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ResultAggregator.Aggregate("x", Schema, [new MentionPrediction("GPE", 1, "x", 0)], DedupPolicy.None));
        Assert.Contains("GPE", e.Message);
    }
}
