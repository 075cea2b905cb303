using System.Text.Json.Nodes;
using PaDeLLM.Ner.Aggregation;

namespace PaDeLLM.Ner.Results;

/// <summary>
/// One record of the paper's published results:
/// <c>{"id", "texts", "pred": {TYPE: [[mention, prob], ...]}, "gt": {TYPE: [surface, ...]}, "latency"}</c>.
/// The JSON object is kept so that rewriting a record changes only what was asked.
/// </summary>
public sealed class OfficialRecord
{
    internal OfficialRecord(JsonObject node, string text, List<LabelPredictions> predicted,
        Dictionary<string, List<string>> gold)
    {
        Node = node;
        Text = text;
        Predicted = predicted;
        Gold = gold;
    }

    public JsonObject Node { get; }

    public string Text { get; }

    /// <summary>Predictions per type, in the file's order.</summary>
    public IReadOnlyList<LabelPredictions> Predicted { get; }

    public Dictionary<string, List<string>> Gold { get; }

    public Dictionary<string, List<string>> PredictedStrings() =>
        Predicted.ToDictionary(p => p.Label, p => p.Mentions.Select(m => m.Text).ToList(), StringComparer.Ordinal);

    /// <summary>
    /// A copy of the record whose "pred" holds <paramref name="predicted"/>, every other field untouched.
    /// </summary>
    public JsonObject WithPredictions(IReadOnlyList<LabelPredictions> predicted)
    {
        var copy = (JsonObject)Node.DeepClone();
        var pred = (JsonObject)copy["pred"]!;
        var original = (JsonObject)Node["pred"]!;
        foreach (LabelPredictions lp in predicted)
        {
            // Re-use the original number nodes so probabilities are written back digit for digit.
            var kept = new JsonArray();
            var source = (JsonArray)original[lp.Label]!;
            int next = 0;
            foreach (ScoredMention m in lp.Mentions)
            {
                while (next < source.Count && !Matches(source[next]!, m))
                {
                    next++;
                }

                kept.Add(source[next++]!.DeepClone());
            }

            pred[lp.Label] = kept;
        }

        return copy;
    }

    private static bool Matches(JsonNode item, ScoredMention m) =>
        item is JsonArray { Count: 2 } a && (string?)a[0] == m.Text && (double)a[1]! == m.Probability;
}
