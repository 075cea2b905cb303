using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PaDeLLM.Tokenizers.Bpe;

namespace PaDeLLM.Tokenizers.HuggingFace;

/// <summary>
/// tokenizer.json pre-tokenizers: ByteLevel, Split (Isolated or Removed), Sequence. Each maps pieces to pieces.
/// </summary>
internal static class PreTokenizers
{
    /// <summary>GPT-2's split pattern, used by ByteLevel when use_regex is true.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public static Func<List<string>, List<string>> Create(JsonElement e, string where)
    {
        string type = JsonParts.Type(e, where);
        switch (type)
        {
            case "ByteLevel":
                {
                    bool prefixSpace = JsonParts.Bool(e, "add_prefix_space", false);
                    Regex? regex = JsonParts.Bool(e, "use_regex", true)
                        ? TokenizerRegex.Create(Gpt2Pattern, where)
                        : null;
                    return pieces =>
                    {
                        var output = new List<string>();
                        foreach (string p in pieces)
                        {
                            string text = prefixSpace && !p.StartsWith(' ') ? " " + p : p;
                            foreach (string s in regex is null ? [text] : RegexSplitter.SplitIsolated(text, regex))
                            {
                                output.Add(ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes(s)));
                            }
                        }

                        return output;
                    };
                }

            case "Split":
                {
                    (string pattern, bool isRegex) = JsonParts.Pattern(e, where);
                    var regex = TokenizerRegex.Create(isRegex ? pattern : Regex.Escape(pattern), where);
                    string behavior = JsonParts.String(e, "behavior", where);
                    if (JsonParts.Bool(e, "invert", false))
                    {
                        throw new TokenizerException($"{where}: Split with invert=true is not supported");
                    }

                    return behavior switch
                    {
                        "Isolated" => pieces => pieces.SelectMany(p => RegexSplitter.SplitIsolated(p, regex)).ToList(),
                        "Removed" => pieces => pieces.SelectMany(p => RegexSplitter.SplitIsolated(p, regex)
                            .Where(s => !regex.IsMatch(s) || regex.Match(s).Length != s.Length)).ToList(),
                        _ => throw new TokenizerException(
                            $"{where}: Split behavior '{behavior}' is not supported (supported: Isolated, Removed)"),
                    };
                }

            case "Sequence":
                {
                    var parts = JsonParts.Array(e, "pretokenizers", where)
                        .Select((p, i) => Create(p, $"{where}.pretokenizers[{i}]")).ToArray();
                    return pieces => parts.Aggregate(pieces, (acc, f) => f(acc));
                }

            default:
                throw new TokenizerException(
                    $"{where}: pre_tokenizer type '{type}' is not supported (supported: ByteLevel, Split, Sequence)");
        }
    }
}
