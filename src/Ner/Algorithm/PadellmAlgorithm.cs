using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Ner.Algorithm;

/// <summary>
/// PaDeLLM inference, written once for every entry point: count every label at once, then
/// decode every (label, k) mention at once, decode again the mentions that repeat another k of their label
/// (<see cref="PadellmOptions.DecodeRepeatsAgain"/>), merge, de-duplicate (a string under several labels
/// stays under its most probable one) and locate each mention in the text. Unreadable outputs
/// are recorded as failures, never thrown. Pure over <see cref="IPadellmSteps"/> and the
/// clock it is given, so a durable orchestrator can replay it.
/// </summary>
public static class PadellmAlgorithm
{
    public static async Task<ResultDocument> RunAsync(
        string? id, string text, LabelSchema schema, IPadellmSteps steps, Func<DateTime> clock,
        PadellmOptions? options = null)
    {
        options ??= PadellmOptions.Default;
        DateTime started = clock();
        IReadOnlyList<CountAnswer> counts = await steps.CountAsync(text, schema);
        if (counts.Count != schema.Labels.Count)
        {
            throw new InvalidOperationException(
                $"step 1 answered {counts.Count} counts for {schema.Labels.Count} labels");
        }

        var failures = new List<ResultFailure>();
        var calls = new List<MentionCall>();
        foreach (CountAnswer c in counts)
        {
            if (c.Count is int n)
            {
                calls.AddRange(Enumerable.Range(1, n).Select(k => new MentionCall(c.Label, n, k)));
            }
            else
            {
                failures.Add(new ResultFailure(c.Label, 0, c.Failure ?? "no count"));
            }
        }

        IReadOnlyList<MentionAnswer> mentions = calls.Count == 0 ? [] : await steps.MentionAsync(text, schema, calls);
        int sequences = counts.Count + calls.Count, tokens = counts.Sum(c => c.Tokens) + mentions.Sum(m => m.Tokens);
        IReadOnlyList<MentionCall> again = options.DecodeRepeatsAgain ? RepeatedSlots.Find(text, calls, mentions) : [];
        if (again.Count > 0)
        {
            // A repeat keeps its first answer when the second is unreadable (nothing left to copy), improbable, or
            // the same again (a decoder that cannot be barred).
            IReadOnlyList<MentionAnswer> second = await steps.MentionAsync(text, schema, again);
            var better = second
                .Zip(again, (m, c) => (m, c))
                .Where(x => x.m.Mention is string s && !x.c.Again!.Avoid.Contains(s)
                    && Math.Exp(x.m.LogProbability) >= options.RepeatMinProbability)
                .ToDictionary(x => (x.m.Label, x.m.K), x => x.m);
            mentions = mentions.Select(m => better.GetValueOrDefault((m.Label, m.K), m)).ToList();
            (sequences, tokens) = (sequences + again.Count, tokens + second.Sum(m => m.Tokens));
        }

        var predictions = new List<MentionPrediction>();
        foreach (MentionAnswer m in mentions)
        {
            if (m.Mention is string mention)
            {
                predictions.Add(new MentionPrediction(m.Label, m.K, mention, m.LogProbability));
            }
            else
            {
                failures.Add(new ResultFailure(m.Label, m.K, m.Failure ?? "no mention"));
            }
        }

        ExtractionResult result = ResultAggregator.Aggregate(text, schema, predictions, options.Dedup);
        DateTime completed = clock();
        return ResultDocument.From(id, result, failures) with
        {
            Model = counts.Select(c => c.Model).FirstOrDefault(m => m is not null),
            TokensGenerated = tokens,
            Sequences = sequences,
            Timings = new ResultTimings(started, completed, (completed - started).TotalSeconds),
        };
    }
}
