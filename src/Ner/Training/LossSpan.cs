namespace PaDeLLM.Ner.Training;

/// <summary>Which part of a PaDeLLM target the loss covers.</summary>
public enum LossSpan
{
    /// <summary>From the count token on (the paper).</summary>
    FromCount,

    /// <summary>
    /// Only the mention after <c>&lt;mention k&gt;</c> (and the whole target of a zero-count example).
    /// </summary>
    MentionOnly,
}
