namespace PaDeLLM.Ner.Training;

/// <summary>
/// One supervised sequence: the model reads <see cref="Prompt"/> and learns to write
/// <see cref="Target"/> (followed by EOS when <see cref="AppendEos"/>). The loss covers
/// the target from character <see cref="LossStart"/> on.
/// </summary>
public sealed record TrainingExample(int Sentence, string? Label, string Prompt, string Target, bool AppendEos = true,
    int LossStart = 0)
{
    /// <summary>The format that made the example, where a row mixes formats (<see cref="MixedFormat"/>).</summary>
    public string? Format { get; init; }

    /// <summary>
    /// Characters at the target's start that spell the label's mention count (PaDeLLM's examples;
    /// 0: none), so the trainer can weigh the count's tokens apart (<c>train.count_loss_weight</c>).
    /// </summary>
    public int CountLength { get; init; }
}

/// <summary>A (label key, mention string) pair, the unit the paper's metric counts.</summary>
public readonly record struct LabeledMention(string Label, string Text);
