namespace PaDeLLM.Model.Inference;

/// <summary>
/// Restricts greedy decoding to the tokens a sequence may emit next: <see cref="Choose"/> returns
/// the most probable allowed token. The log-probability recorded for it is still the
/// full-vocabulary softmax, so scores of constrained and free sequences compare alike.
/// </summary>
public interface ITokenConstraint
{
    /// <param name="logits">The next-token logits, one per vocabulary entry.</param>
    /// <param name="generated">The tokens this sequence has generated so far (the prompt excluded).</param>
    int Choose(ReadOnlySpan<float> logits, IReadOnlyList<int> generated);
}
