namespace PaDeLLM.Ner.Parsing;

/// <summary>
/// Reads the model's answer to a count prompt: digits, ended by a newline or by EOS
/// (<c>3\n</c>, <c>0</c>+EOS). Anything else is a typed failure.
/// </summary>
public static class CountOutputParser
{
    public const int DefaultMaxCount = 64;

    /// <param name="generated">The decoded generated text, EOS not included.</param>
    /// <param name="endedWithEos">Whether generation stopped on the EOS token.</param>
    /// <param name="maxCount">Counts above this are rejected (the paper's data has at most a few dozen per
    /// label).</param>
    public static Parsed<int> Parse(string generated, bool endedWithEos, int maxCount = DefaultMaxCount)
    {
        int newline = generated.IndexOf('\n');
        string digits = newline >= 0 ? generated[..newline] : generated;
        if (newline < 0 && !endedWithEos)
        {
            return generated.Length == 0
                ? Parsed<int>.Fail(ParseFailureKind.Empty, "no count was generated")
                : Parsed<int>.Fail(ParseFailureKind.Truncated,
                    $"count \"{Clip(generated)}\" has no newline or EOS after it");
        }

        if (digits.Length == 0)
        {
            return Parsed<int>.Fail(ParseFailureKind.Empty, "the count is empty");
        }

        long n = 0;
        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return Parsed<int>.Fail(ParseFailureKind.NotANumber,
                    $"count \"{Clip(digits)}\" is not a non-negative integer");
            }

            n = (n * 10) + (c - '0');
            if (n > maxCount)
            {
                return Parsed<int>.Fail(ParseFailureKind.CountTooLarge,
                    $"count {Clip(digits)} exceeds the limit of {maxCount}");
            }
        }

        return Parsed<int>.Success((int)n);
    }

    internal static string Clip(string s) => s.Length <= 40 ? s.Replace("\n", "\\n", StringComparison.Ordinal)
        : s[..40].Replace("\n", "\\n", StringComparison.Ordinal) + "…";
}
