using PaDeLLM.Tokenizers;

namespace PaDeLLM.Extraction;

/// <summary>
/// Where PaDeLLM's sequences stop, found once per tokenizer (a scan of the whole vocabulary):
/// a count ends at any newline token or EOS, a mention at EOS.
/// </summary>
public sealed record StopTokens(int Eos, IReadOnlySet<int> Count, IReadOnlySet<int> Mention)
{
    public static StopTokens For(ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        int eos = tokenizer.EosId
            ?? throw new ArgumentException("the tokenizer has no end-of-sequence token", nameof(tokenizer));
        HashSet<int> newlines = [.. Enumerable.Range(0, tokenizer.VocabSize).Where(id =>
            tokenizer.IdToToken(id) is string t && (t.Contains('\n') || t == "<0x0A>" || t == "Ċ"))];
        return new StopTokens(eos, new HashSet<int>(newlines) { eos }, new HashSet<int> { eos });
    }
}
