using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Parsing;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Extraction;

/// <summary>
/// Reads generated tokens as PaDeLLM answers: the count or mention they spell
/// (the stop tokens are <see cref="StopTokens"/>).
/// </summary>
internal static class OutputReader
{
    /// <summary>The decoded count text (EOS excluded) and its parse.</summary>
    public static (string Text, Parsed<int> Count) Count(
        GenerationResult r, ITokenizer tokenizer, int eos, int maxCount)
    {
        bool endedWithEos = r.Tokens.Length > 0 && r.Tokens[^1] == eos;
        string text = tokenizer.Decode(endedWithEos ? r.Tokens[..^1] : r.Tokens);
        return (text, CountOutputParser.Parse(text, endedWithEos, maxCount));
    }

    public static CountAnswer CountAnswer(string label, Parsed<int> count, GenerationResult r, string? model = null) =>
        new(label, count.Ok ? count.Value : null, count.Failure?.ToString(), r.Tokens.Length, model);

    /// <summary>The mention a sequence generated (EOS excluded), or why it cannot be read.</summary>
    public static MentionAnswer MentionAnswer(MentionCall call, GenerationResult r, ITokenizer tokenizer)
    {
        Parsed<string> mention =
            MentionOutputParser.Parse(tokenizer.Decode(r.Stopped ? r.Tokens[..^1] : r.Tokens), r.Stopped);
        return new MentionAnswer(call.Label, call.K, mention.Ok ? mention.Value : null, r.ContentLogProbability,
            mention.Failure?.ToString(), r.Tokens.Length);
    }
}
