using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Kernels;

namespace PaDeLLM.Model.Inference;

/// <summary>
/// Greedy-decode a continuation of <see cref="Parent"/>: the <see cref="Prompt"/> tokens are
/// prefilled in a new branch, then up to <see cref="MaxNewTokens"/> tokens are generated,
/// stopping at the first token in <see cref="StopTokens"/> (which is returned).
/// </summary>
public sealed record GenerationRequest(KvNode Parent, int[] Prompt, int MaxNewTokens, IReadOnlySet<int> StopTokens)
{
    public static readonly IReadOnlySet<int> NoStop = new HashSet<int>();

    /// <summary>The tokens this sequence may choose from at each step; null: the whole vocabulary.</summary>
    public ITokenConstraint? Constraint { get; init; }

    /// <summary>
    /// The prompt's tokens attend to each other, not only to those before them: a prefix LM's text
    /// (<see cref="Checkpoints.ModelConfig.BidirectionalText"/>). Its prompt is prefilled whole, as one segment,
    /// never split into edges shared with other requests.
    /// </summary>
    public bool BidirectionalPrompt { get; init; }

    /// <summary>
    /// Refuses requests that cannot run: an empty prompt, or one that ends past the model's
    /// context (<see cref="ContextLengthExceededException"/>). Generation then stops a sequence at
    /// the context's end, so no request can fail a pass it shares with others.
    /// </summary>
    public static void Admit(IReadOnlyList<GenerationRequest> requests, int context)
    {
        for (int i = 0; i < requests.Count; i++)
        {
            GenerationRequest r = requests[i];
            if (r.Prompt.Length == 0)
            {
                throw new ArgumentException(
                    $"request {i} has an empty prompt: a continuation needs at least one token", nameof(requests));
            }

            if (r.Parent.EndPosition + r.Prompt.Length > context)
            {
                throw new ContextLengthExceededException(r.Parent.EndPosition + r.Prompt.Length, context);
            }
        }
    }

    /// <summary>The greedy choice from one row of logits, within <see cref="Constraint"/> when there is one.</summary>
    public int Choose(ReadOnlySpan<float> logits, IReadOnlyList<int> generated) =>
        Constraint is null ? Sampling.Argmax(logits) : Constraint.Choose(logits, generated);
}

/// <summary>
/// What a request produced: the tokens (a stop token included) with the log-probability of
/// each, and the node that caches the prompt and every generated token but the last —
/// branch it, with the last token first, to continue.
/// </summary>
public sealed record GenerationResult(int[] Tokens, double[] LogProbabilities, bool Stopped, KvNode Node)
{
    /// <summary>Sum of the log-probabilities, the stop token excluded (the paper's mention score).</summary>
    public double ContentLogProbability => LogProbabilities.Take(Stopped ? Tokens.Length - 1 : Tokens.Length).Sum();
}
