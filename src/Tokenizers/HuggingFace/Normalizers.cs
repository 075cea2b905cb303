using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PaDeLLM.Tokenizers.HuggingFace;

/// <summary>tokenizer.json normalizers: NFC, Prepend, Replace, Sequence.</summary>
internal static class Normalizers
{
    public static Func<string, string> Create(JsonElement e, string where)
    {
        string type = JsonParts.Type(e, where);
        switch (type)
        {
            case "NFC":
                EnsureNormalizationWorks(where);
                return s => s.Normalize(NormalizationForm.FormC);
            case "Prepend":
                string prefix = JsonParts.String(e, "prepend", where);
                return s => s.Length == 0 ? s : prefix + s;
            case "Replace":
                (string pattern, bool isRegex) = JsonParts.Pattern(e, where);
                string content = JsonParts.String(e, "content", where);
                if (isRegex)
                {
                    var re = TokenizerRegex.Create(pattern, where);
                    return s => re.Replace(s, content);
                }

                return s => s.Replace(pattern, content, StringComparison.Ordinal);
            case "Sequence":
                var parts = JsonParts.Array(e, "normalizers", where)
                    .Select((n, i) => Create(n, $"{where}.normalizers[{i}]")).ToArray();
                return s => parts.Aggregate(s, (acc, f) => f(acc));
            default:
                throw new TokenizerException(
                    $"{where}: normalizer type '{type}' is not supported (supported: NFC, Prepend, Replace, Sequence)");
        }
    }

    // Under InvariantGlobalization .NET's Normalize silently returns its input: refuse rather than mis-tokenize.
    private static void EnsureNormalizationWorks(string where)
    {
        if ("e\u0301".Normalize(NormalizationForm.FormC) != "\u00e9")
        {
            throw new TokenizerException(
                $"{where}: NFC normalization is unavailable in this process "
                + "(InvariantGlobalization is on, or ICU is missing)");
        }
    }
}
