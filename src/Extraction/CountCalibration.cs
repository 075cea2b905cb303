using PaDeLLM.Model.Inference;
using PaDeLLM.Model.Kernels;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Extraction;

/// <summary>
/// Count calibration: the first token of a count is chosen from the model's distribution over
/// counts tilted by e^(β·n), the digit n's probability multiplied by e^(βn) (only single-digit
/// tokens are tilted). A count whose digit the tilt chose ends there, at the most probable stop
/// token, since the model's own continuation was written for another count; any other count
/// goes on greedily. A model trained from scratch
/// under-counts — it stops at fewer mentions than the text has, and most of its lost recall is
/// a count of 0 — and β &gt; 0, tuned on dev, trades a little precision for that recall. The
/// probabilities recorded stay the model's own.
/// </summary>
public sealed class CountCalibration : ITokenConstraint
{
    private readonly int[] _digits; // token id of each single-digit piece
    private readonly int[] _values;
    private readonly int[] _stops;

    // The sequences (by their list of generated tokens) whose first token the tilt changed.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<int>, object> _tilted = [];

    private CountCalibration(double bias, int[] digits, int[] values, int[] stops)
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

        return new CountCalibration(bias, [.. digits], [.. values], [.. stops.Count]);
    }

    public int Choose(ReadOnlySpan<float> logits, IReadOnlyList<int> generated)
    {
        int greedy = Sampling.Argmax(logits);
        if (generated.Count > 0)
        {
            return generated.Count == 1 && _tilted.TryGetValue(generated, out _) ? BestStop(logits) : greedy;
        }

        int best = greedy;
        double bestScore = logits[best] + Tilt(best);
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

    private int BestStop(ReadOnlySpan<float> logits)
    {
        int best = _stops[0];
        foreach (int id in _stops)
        {
            best = logits[id] > logits[best] ? id : best;
        }

        return best;
    }

    private double Tilt(int id)
    {
        int i = Array.IndexOf(_digits, id);
        return i < 0 ? 0 : Bias * _values[i];
    }
}
