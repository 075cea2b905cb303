using System.Text;
using System.Text.Json;
using PaDeLLM.Tokenizers.Bpe;

namespace PaDeLLM.Tokenizers.HuggingFace;

/// <summary>
/// tokenizer.json's BPE model: merges applied by rank (lowest first, leftmost on ties);
/// with ignore_merges a pre-token already in the vocabulary is taken whole (Llama-3); with
/// byte_fallback unknown characters become &lt;0xNN&gt; pieces; otherwise &lt;unk&gt; (fused runs).
/// </summary>
internal sealed class BpeModel
{
    private readonly Dictionary<(string, string), int> _ranks = [];
    private readonly int?[] _byteIds = new int?[256];

    public BpeModel(JsonElement e, string where)
    {
        foreach (string field in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (e.TryGetProperty(field, out JsonElement v) && v.ValueKind == JsonValueKind.String
                && v.GetString()!.Length > 0)
            {
                throw new TokenizerException($"{where}: {field} '{v.GetString()}' is not supported");
            }
        }

        if (e.TryGetProperty("dropout", out JsonElement dropout) && dropout.ValueKind == JsonValueKind.Number
            && dropout.GetDouble() > 0)
        {
            throw new TokenizerException($"{where}: BPE dropout is not supported");
        }

        if (!e.TryGetProperty("vocab", out JsonElement vocab) || vocab.ValueKind != JsonValueKind.Object)
        {
            throw new TokenizerException($"{where}: missing vocab");
        }

        foreach (JsonProperty p in vocab.EnumerateObject())
        {
            int id = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetInt32()
                : throw new TokenizerException($"{where}.vocab: id of '{p.Name}' is not a number");
            Vocab[p.Name] = id;
            if (ByteFallback.ByteOf(p.Name) is byte b)
            {
                _byteIds[b] = id;
            }
        }

        int rank = 0;
        foreach (JsonElement m in JsonParts.Array(e, "merges", where))
        {
            (string a, string b) = m.ValueKind switch
            {
                JsonValueKind.String when m.GetString()!.Split(' ') is [string x, string y] => (x, y),
                JsonValueKind.Array when m.GetArrayLength() == 2 && m[0].GetString() is string x
                    && m[1].GetString() is string y => (x, y),
                _ => throw new TokenizerException($"{where}.merges[{rank}]: expected \"a b\" or [\"a\", \"b\"], "
                    + $"found {m.GetRawText()}"),
            };
            foreach (string part in new[] { a, b, a + b })
            {
                if (!Vocab.ContainsKey(part))
                {
                    throw new TokenizerException($"{where}.merges[{rank}]: merge \"{a} {b}\" names '{part}', which is "
                        + $"not in the vocabulary");
                }
            }

            _ranks.TryAdd((a, b), rank++);
        }

        IgnoreMerges = JsonParts.Bool(e, "ignore_merges", false);
        ByteFallbackEnabled = JsonParts.Bool(e, "byte_fallback", false);
        FuseUnknown = JsonParts.Bool(e, "fuse_unk", false);
        if (e.TryGetProperty("unk_token", out JsonElement unk) && unk.ValueKind == JsonValueKind.String)
        {
            UnknownId = Vocab.TryGetValue(unk.GetString()!, out int u) ? u
                : throw new TokenizerException($"{where}: unk_token '{unk.GetString()}' is not in the vocabulary");
        }
    }

    public Dictionary<string, int> Vocab { get; } = new(StringComparer.Ordinal);

    public bool IgnoreMerges { get; }

    public bool ByteFallbackEnabled { get; }

    public bool FuseUnknown { get; }

    public int? UnknownId { get; }

    public void Encode(string piece, List<int> output)
    {
        if (piece.Length == 0)
        {
            return;
        }

        if (IgnoreMerges && Vocab.TryGetValue(piece, out int whole))
        {
            output.Add(whole);
            return;
        }

        var symbols = new List<string>(piece.Length);
        foreach (Rune r in piece.EnumerateRunes())
        {
            symbols.Add(r.ToString());
        }

        bool lastUnknown = false;
        foreach (string s in BpeMerger.Merge(symbols, (a, b) => _ranks.TryGetValue((a, b), out int rank) ? rank : null))
        {
            if (Vocab.TryGetValue(s, out int id))
            {
                output.Add(id);
                lastUnknown = false;
            }
            else if (ByteFallbackEnabled && Encoding.UTF8.GetBytes(s) is var bytes
                && bytes.All(b => _byteIds[b] is not null))
            {
                output.AddRange(bytes.Select(b => _byteIds[b]!.Value));
                lastUnknown = false;
            }
            else if (UnknownId is int unk)
            {
                if (!(FuseUnknown && lastUnknown))
                {
                    output.Add(unk);
                }

                lastUnknown = true;
            }
            else
            {
                throw new TokenizerException($"'{s}' is not in the vocabulary and the model has no "
                    + $"unk_token or byte fallback");
            }
        }
    }
}
