using PaDeLLM.Model.Inference;
using PaDeLLM.Model.Kernels;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Extraction;

/// <summary>
/// Count calibration: the first token of a count is chosen from the model's distribution over
/// counts tilted by e^(β·n), the digit n's probability multiplied by e^(βn) (only single-digit
/// tokens are tilted). A count whose digit the tilt chose ends there, at the most probable stop
/// token, since the model's own continuation was written for another count; any other count
/// goes on greedily. The probabilities recorded stay the model's own. Meant for a model that
/// under-counts; on the shipped CoNLL-2003 model it buys recall with more precision than it gains
/// (docs/results, "Count calibration does not pay"), so it is off unless asked for.
/// </summary>
public sealed class CountCalibration : ITokenConstraint
{
    private readonly int[] _digits; // token id of each single-digit piece
    private readonly int[] _values;
    private readonly IReadOnlySet<int> _stops;

    // The sequences (by their list of generated tokens) whose first token the tilt changed.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<int>, object> _tilted = [];

    private CountCalibration(double bias, int[] digits, int[] values, IReadOnlySet<int> stops)
    {
        Bias = bias;
        _digits = digits;
        _values = values;
        _stops = stops;
    }

    /// <summary>β: the log-probability added per unit of count.</summary>
    public double Bias { get; }

    /// <summary>The calibration for a tokenizer's digit pieces; null when β is 0 (plain greedy).</summary>
    public static CountCalibration? For(ITokenizer tokenizer, StopTokens stops, double bias)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(stops);
        if (!double.IsFinite(bias) || bias < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bias), bias, "the count bias must be a finite number ≥ 0");
        }

        if (bias == 0)
        {
            return null;
        }

        var digits = new List<int>();
        var values = new List<int>();
        for (int id = 0; id < tokenizer.VocabSize; id++)
        {
            if (tokenizer.Decode([id]).Trim() is { Length: 1 } s && char.IsAsciiDigit(s[0]))
            {
                digits.Add(id);
                values.Add(s[0] - '0');
            }
        }

        return new CountCalibration(bias, [.. digits], [.. values], stops.Count);
    }

    public int Choose(ReadOnlySpan<float> logits, IReadOnlyList<int> generated)
    {
        int greedy = Sampling.Argmax(logits);
        if (generated.Count > 0)
        {
            return generated.Count == 1 && _tilted.TryGetValue(generated, out _)
                ? Sampling.ArgmaxOf(logits, _stops)
                : greedy;
        }

        // Untilted tokens keep their logit; every digit, the greedy one too, is scored with its tilt.
        int best = greedy;
        double bestScore = logits[greedy];
        for (int i = 0; i < _digits.Length; i++)
        {
            double score = logits[_digits[i]] + (Bias * _values[i]);
            if (score > bestScore)
            {
                (best, bestScore) = (_digits[i], score);
            }
        }

        if (best != greedy)
        {
            _tilted.AddOrUpdate(generated, best);
        }

        return best;
    }
}
