using System.Text.RegularExpressions;

namespace PaDeLLM.Tokenizers.HuggingFace;

/// <summary>
/// A tokenizer.json pattern compiled so that no text can make it run unbounded: .NET's
/// non-backtracking engine (linear in the text) where the pattern allows it, else the backtracking
/// engine with a match timeout (GPT-2-style patterns use a lookahead, which only it supports).
/// </summary>
internal static class TokenizerRegex
{
    /// <summary>How long one match may take before the text is refused (<see cref="TokenizerException"/>).</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    public static Regex Create(string pattern, string where)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (NotSupportedException)
        {
            // Lookarounds or backreferences: backtracking, bounded in time.
        }
        catch (ArgumentException e)
        {
            throw new TokenizerException($"{where}: invalid pattern '{pattern}': {e.Message}", e);
        }

        return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
    }
}
