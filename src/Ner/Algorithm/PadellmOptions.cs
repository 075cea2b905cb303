using PaDeLLM.Ner.Aggregation;

namespace PaDeLLM.Ner.Algorithm;

/// <summary>How <see cref="PadellmAlgorithm"/> turns step 2's answers into a result.</summary>
public sealed record PadellmOptions
{
    /// <summary>What every entry point runs: the paper's de-duplication, repeats decoded again.</summary>
    public static readonly PadellmOptions Default = new();

    /// <summary>The paper's algorithm alone: two steps, no mention decoded again.</summary>
    public static readonly PadellmOptions Paper = new() { DecodeRepeatsAgain = false };

    /// <summary>The default <see cref="RepeatMinProbability"/>.</summary>
    public const double DefaultRepeatMinProbability = 0.02;

    public DedupPolicy Dedup { get; init; } = DedupPolicy.Paper;

    /// <summary>
    /// A mention that repeats another k of its label is decoded once more, barred from the label's strings and
    /// kept to its place in text order (<see cref="RepeatedSlots"/>). Has effect with copied mentions only: a
    /// free decoder cannot be barred, and an answer that repeats a barred string is not taken.
    /// </summary>
    public bool DecodeRepeatsAgain { get; init; } = true;

    /// <summary>
    /// The least probability a mention decoded again needs to replace the repeat: a slot the model could not fill
    /// well is better left a repeat (tuned on the dev sets: docs/results, "Decoding repeats again").
    /// </summary>
    public double RepeatMinProbability { get; init; } = DefaultRepeatMinProbability;
}
