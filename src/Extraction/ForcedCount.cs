using System.Globalization;
using PaDeLLM.Model.Inference;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Extraction;

/// <summary>
/// A count decoded as given instead of as the model would: the tokens the training format writes for
/// n (<c>n\n</c>, or <c>0</c> and EOS), whatever the logits say. For diagnosis only (<c>padellm eval
/// --gold-counts</c>): with the gold counts forced, what is left of the error is the mention step's, so
/// a dev score splits into what counting loses and what decoding the mentions loses.
/// </summary>
public sealed class ForcedCount : ITokenConstraint
{
    private readonly int[] _tokens;
    private readonly int _eos;

    private ForcedCount(int[] tokens, int eos)
    {
        _tokens = tokens;
        _eos = eos;
    }

    /// <summary>The count's tokens as the tokenizer writes them after <paramref name="prompt"/>.</summary>
    public static ForcedCount For(ITokenizer tokenizer, StopTokens stops, string prompt, int count)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(stops);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        string output = count == 0 ? "0" : count.ToString(CultureInfo.InvariantCulture) + "\n";

        // Encoded after the prompt, as in training, so that a tokenizer that adds a prefix to a text's
        // start (SentencePiece's dummy space) writes the count's own pieces.
        int[] head = tokenizer.Encode(prompt), whole = tokenizer.Encode(prompt + output);
        int[] tokens = whole.Length > head.Length && whole.AsSpan(0, head.Length).SequenceEqual(head)
            ? whole[head.Length..]
            : tokenizer.Encode(output);
        return new ForcedCount(count == 0 ? [.. tokens, stops.Eos] : tokens, stops.Eos);
    }

    /// <summary>The tokens this count is written as (EOS last for 0).</summary>
    public IReadOnlyList<int> Tokens => _tokens;

    public int Choose(ReadOnlySpan<float> logits, IReadOnlyList<int> generated) =>
        generated.Count < _tokens.Length ? _tokens[generated.Count] : _eos;
}
