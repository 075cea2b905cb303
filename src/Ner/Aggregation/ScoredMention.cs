namespace PaDeLLM.Ner.Aggregation;

/// <summary>
/// A predicted mention string with its probability (product of its tokens' probabilities, EOS excluded).
/// </summary>
public readonly record struct ScoredMention(string Text, double Probability);

/// <summary>The predictions of one label, in the order they were made (k = 1, 2, …).</summary>
public sealed record LabelPredictions(string Label, IReadOnlyList<ScoredMention> Mentions);
