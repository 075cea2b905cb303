using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Ner.Aggregation;

/// <summary>
/// Fan-in of PaDeLLM's step 2: groups the per-(label, k) predictions by label in schema
/// order, de-duplicates them, and locates each kept mention in the text. A string written for
/// several k of one label is one entity (the paper's scoring takes sets, so F1 is unchanged).
/// </summary>
public static class ResultAggregator
{
    public static ExtractionResult Aggregate(string text, LabelSchema schema,
        IEnumerable<MentionPrediction> predictions, DedupPolicy policy)
    {
        List<MentionPrediction> all = predictions.ToList();
        foreach (MentionPrediction p in all)
        {
            if (!schema.Contains(p.Label))
            {
                throw new ArgumentException($"prediction for label '{p.Label}' is outside schema {schema}",
                    nameof(predictions));
            }
        }

        var grouped = schema.Labels
            .Select(l => all.Where(p => p.Label == l.Key).OrderBy(p => p.K).ToList())
            .Where(g => g.Count > 0)
            .ToList();
        var perLabel = grouped
            .Select(g => new LabelPredictions(g[0].Label,
                g.Select(p => new ScoredMention(p.Text, p.Probability)).ToArray()))
            .ToList();
        List<LabelPredictions> kept = MentionDeduplicator.Apply(perLabel, schema.Keys.ToArray(), policy);

        var entities = new List<ExtractedEntity>();
        var at = new Dictionary<(string Label, string Text), int>();
        for (int g = 0; g < grouped.Count; g++)
        {
            // Apply keeps order and filters, so walk both lists together to recover each survivor's k.
            var survivors = kept[g].Mentions;
            int s = 0;
            foreach (MentionPrediction p in grouped[g])
            {
                if (s < survivors.Count && survivors[s].Text == p.Text && survivors[s].Probability == p.Probability)
                {
                    s++;

                    // The same string written for two k of one label is one entity, at its best probability.
                    if (at.TryGetValue((p.Label, p.Text), out int i))
                    {
                        if (p.Probability > entities[i].Probability)
                        {
                            entities[i] = entities[i] with { Probability = p.Probability, K = p.K };
                        }

                        continue;
                    }

                    at[(p.Label, p.Text)] = entities.Count;
                    entities.Add(new ExtractedEntity(p.Label, p.Text, p.Probability, p.K,
                        SpanLocator.FindAll(text, p.Text)));
                }
            }
        }

        return new ExtractionResult(text, entities);
    }
}
