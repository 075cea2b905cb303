using System.Text;
using System.Text.Json;
using PaDeLLM.Tokenizers.Bpe;

namespace PaDeLLM.Tokenizers.HuggingFace;

/// <summary>
/// tokenizer.json decoders: ByteLevel, ByteFallback, Fuse, Strip, Replace, Sequence. Each maps tokens to tokens.
/// </summary>
internal static class Decoders
{
    public static Func<List<string>, List<string>> Create(JsonElement e, string where)
    {
        string type = JsonParts.Type(e, where);
        switch (type)
        {
            case "ByteLevel":
                // All tokens to bytes, then UTF-8 with maximal-subpart replacement.
                return tokens =>
                {
                    var bytes = new List<byte>();
                    foreach (string t in tokens)
                    {
                        ByteLevelAlphabet.Decode(t, bytes);
                    }

                    return [Encoding.UTF8.GetString(bytes.ToArray())];
                };
            case "ByteFallback":
                return tokens =>
                {
                    var output = new List<string>();
                    var run = new List<byte>();
                    foreach (string t in tokens)
                    {
                        if (ByteFallback.ByteOf(t) is byte b)
                        {
                            run.Add(b);
                            continue;
                        }

                        if (run.Count > 0)
                        {
                            output.Add(ByteFallback.DecodeRun(run));
                            run.Clear();
                        }

                        output.Add(t);
                    }

                    if (run.Count > 0)
                    {
                        output.Add(ByteFallback.DecodeRun(run));
                    }

                    return output;
                };
            case "Fuse":
                return tokens => [string.Concat(tokens)];
            case "Strip":
                {
                    string content = JsonParts.String(e, "content", where);
                    int start = JsonParts.Int(e, "start", 0), stop = JsonParts.Int(e, "stop", 0);
                    return tokens => tokens.Select(t => Strip(t, content, start, stop)).ToList();
                }

            case "Replace":
                {
                    (string pattern, bool isRegex) = JsonParts.Pattern(e, where);
                    if (isRegex)
                    {
                        throw new TokenizerException($"{where}: a Replace decoder with a regex is not supported");
                    }

                    string content = JsonParts.String(e, "content", where);
                    return tokens => tokens.Select(t => t.Replace(pattern, content, StringComparison.Ordinal)).ToList();
                }

            case "Sequence":
                {
                    var parts = JsonParts.Array(e, "decoders", where)
                        .Select((d, i) => Create(d, $"{where}.decoders[{i}]")).ToArray();
                    return tokens => parts.Aggregate(tokens, (acc, f) => f(acc));
                }

            default:
                throw new TokenizerException($"{where}: decoder type '{type}' is not supported (supported: ByteLevel, "
                    + $"ByteFallback, Fuse, Strip, Replace, Sequence)");
        }
    }

    private static string Strip(string token, string content, int start, int stop)
    {
        int from = 0, to = token.Length;
        for (int i = 0; i < start && token.AsSpan(from, to - from).StartsWith(content, StringComparison.Ordinal); i++)
        {
            from += content.Length;
        }

        for (int i = 0; i < stop && token.AsSpan(from, to - from).EndsWith(content, StringComparison.Ordinal); i++)
        {
            to -= content.Length;
        }

        return token[from..to];
    }
}
