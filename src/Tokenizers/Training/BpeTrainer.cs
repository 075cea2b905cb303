using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Tokenizers.Bpe;

namespace PaDeLLM.Tokenizers.Training;

/// <summary>
/// Learns a SentencePiece-style BPE with byte fallback. Spaces are escaped to ▁ and start a
/// new word (Baichuan conventions: no dummy prefix, so text round-trips exactly and a marker
/// is never followed by an invented ▁); Chinese runs are words of their own. Rare characters
/// are left to byte fallback. The result is a tokenizer.json that <see cref="HuggingFace.HfTokenizer"/> reads.
/// </summary>
public static class BpeTrainer
{
    private const char Space = '\u2581';

    public static string[] Specials => ["<unk>", "<s>", "</s>"];

    /// <param name="progress">Called now and then with (merges done, merges planned).</param>
    public static JsonObject Train(
        IEnumerable<string> texts, BpeTrainerOptions options, Action<int, int>? progress = null)
    {
        // 1. Words and their frequencies. Markers are cut out first: they are atomic pieces.
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        var markers = options.UserDefined.Where(m => m.Length > 0).OrderByDescending(m => m.Length).ToArray();
        foreach (string text in texts)
        {
            foreach (string segment in SplitOutMarkers(text, markers))
            {
                foreach (string word in Words(segment.Replace(' ', Space), options.CopyAligned))
                {
                    words[word] = words.GetValueOrDefault(word) + 1;
                }
            }
        }

        // 2. The vocabulary's fixed part, then the characters that cover the text.
        var vocab = new List<string>(Specials);
        vocab.AddRange(options.UserDefined);
        vocab.AddRange(Enumerable.Range(0, 256).Select(b => ByteFallback.Piece((byte)b)));
        var charCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach ((string word, int freq) in words)
        {
            foreach (Rune r in word.EnumerateRunes())
            {
                string c = r.ToString();
                charCounts[c] = charCounts.GetValueOrDefault(c) + freq;
            }
        }

        long total = Math.Max(1, charCounts.Values.Sum());
        long covered = 0;
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string c, long n) in charCounts
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if ((double)covered / total >= options.CharacterCoverage && c != Space.ToString())
            {
                break;
            }

            kept.Add(c);
            covered += n;
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string piece in vocab)
        {
            index.TryAdd(piece, index.Count);
        }

        foreach (string c in kept.OrderByDescending(c => charCounts[c]).ThenBy(c => c, StringComparer.Ordinal))
        {
            if (index.TryAdd(c, vocab.Count))
            {
                vocab.Add(c);
            }
        }

        // ▁ is a piece even when the texts have no space (Chinese): byte fallback would spell a
        // space as ▁'s three UTF-8 bytes, which the decoder turns back into "▁", not " ".
        if (index.TryAdd(Space.ToString(), vocab.Count))
        {
            vocab.Add(Space.ToString());
        }

        if (vocab.Count > options.VocabSize)
        {
            throw new ArgumentException(
                $"vocab size {options.VocabSize} is smaller than the {vocab.Count} specials, markers, bytes "
                + "and characters it must hold");
        }

        // 3. Merges: the most frequent adjacent pair, until the vocabulary is full.
        var merges = new List<(string, string)>();
        var corpus = new Corpus(words, kept);
        int planned = options.VocabSize - vocab.Count;
        while (vocab.Count < options.VocabSize && corpus.Best(options.MaxPieceLength) is (string a, string b))
        {
            string merged = a + b;
            corpus.Merge(a, b);
            merges.Add((a, b));
            if (index.TryAdd(merged, vocab.Count))
            {
                vocab.Add(merged);
            }

            if (merges.Count % 100 == 0)
            {
                progress?.Invoke(merges.Count, planned);
            }
        }

        progress?.Invoke(merges.Count, merges.Count);
        return ToTokenizerJson(vocab, merges, options.UserDefined);
    }

    public static void Save(JsonObject tokenizer, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(
            Path.Combine(directory, "tokenizer.json"),
            tokenizer.ToJsonString(new JsonSerializerOptions
            {
                WriteIndented = true,
                Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping
            }));
    }

    /// <summary>
    /// The words merges stay within. Each ▁ starts a new word: "a▁b▁▁c" → a, ▁b, ▁, ▁c; with
    /// <paramref name="copyAligned"/> each ▁, punctuation mark, symbol and CJK character is a
    /// word alone: "a▁b,c" → a, ▁, b, ",", c.
    /// </summary>
    internal static IEnumerable<string> Words(string escaped, bool copyAligned = false)
    {
        bool Alone(char c) => copyAligned
            && (c == Space || char.IsPunctuation(c) || char.IsSymbol(c) || CopyAlignment.IsCjk(c));
        int start = 0;
        for (int i = 1; i <= escaped.Length; i++)
        {
            if (i == escaped.Length || escaped[i] == Space || Alone(escaped[i]) || Alone(escaped[i - 1]))
            {
                if (i > start)
                {
                    yield return escaped[start..i];
                }

                start = i;
            }
        }
    }

    private static IEnumerable<string> SplitOutMarkers(string text, string[] markers)
    {
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            string? m = markers.FirstOrDefault(m => string.CompareOrdinal(text, i, m, 0, m.Length) == 0);
            if (m is null)
            {
                continue;
            }

            if (i > start)
            {
                yield return text[start..i];
            }

            i += m.Length - 1;
            start = i + 1;
        }

        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    private static JsonObject ToTokenizerJson(
        List<string> vocab, List<(string, string)> merges, IReadOnlyList<string> userDefined)
    {
        var vocabJson = new JsonObject();
        for (int i = 0; i < vocab.Count; i++)
        {
            vocabJson[vocab[i]] = i;
        }

        var added = new JsonArray();
        foreach ((string token, int i) in Specials.Select((s, i) => (s, i))
            .Concat(userDefined.Select((u, i) => (u, Specials.Length + i))))
        {
            added.Add(new JsonObject
            {
                ["id"] = i,
                ["content"] = token,
                ["single_word"] = false,
                ["lstrip"] = false,
                ["rstrip"] = false,
                ["normalized"] = false,
                ["special"] = i < Specials.Length,
            });
        }

        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = added,
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Replace",
                ["pattern"] = new JsonObject { ["String"] = " " },
                ["content"] = Space.ToString()
            },
            ["pre_tokenizer"] = null,
            ["decoder"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(
                    new JsonObject
                    {
                        ["type"] = "Replace",
                        ["pattern"] = new JsonObject { ["String"] = Space.ToString() },
                        ["content"] = " "
                    },
                    new JsonObject { ["type"] = "ByteFallback" },
                    new JsonObject { ["type"] = "Fuse" }),
            },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["unk_token"] = "<unk>",
                ["fuse_unk"] = true,
                ["byte_fallback"] = true,
                ["vocab"] = vocabJson,
                ["merges"] = new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m.Item1, m.Item2)).ToArray()),
            },
        };
    }

    /// <summary>Words as symbol lists with pair counts kept up to date as merges happen.</summary>
    private sealed class Corpus
    {
        private readonly List<string[]> _symbols = [];
        private readonly List<int> _freq = [];
        private readonly Dictionary<(string, string), long> _pairCounts = [];
        private readonly Dictionary<(string, string), HashSet<int>> _pairWords = [];
        private readonly PriorityQueue<(string, string), (long, string)> _heap =
            new(Comparer<(long, string)>.Create((x, y) =>
            {
                int c = y.Item1.CompareTo(x.Item1); // larger count first
                return c != 0 ? c : string.CompareOrdinal(x.Item2, y.Item2); // then the smaller merged string
            }));

        public Corpus(Dictionary<string, int> words, HashSet<string> kept)
        {
            foreach ((string word, int freq) in words.OrderBy(w => w.Key, StringComparer.Ordinal))
            {
                // Characters outside the vocabulary are marked so they never merge.
                string[] symbols = word.EnumerateRunes()
                    .Select(r => kept.Contains(r.ToString()) ? r.ToString() : "\0" + r).ToArray();
                int w = _symbols.Count;
                _symbols.Add(symbols);
                _freq.Add(freq);
                Count(w, +1);
            }

            foreach (var kv in _pairCounts)
            {
                _heap.Enqueue(kv.Key, (kv.Value, kv.Key.Item1 + kv.Key.Item2));
            }
        }

        public (string, string)? Best(int maxLength)
        {
            while (_heap.TryDequeue(out var pair, out var priority))
            {
                long current = _pairCounts.GetValueOrDefault(pair);
                if (current != priority.Item1 || current <= 0)
                {
                    continue; // stale entry
                }

                if (priority.Item2.EnumerateRunes().Count() > maxLength)
                {
                    continue;
                }

                return pair;
            }

            return null;
        }

        public void Merge(string a, string b)
        {
            if (!_pairWords.TryGetValue((a, b), out var affected))
            {
                return;
            }

            var touched = new HashSet<(string, string)>();
            foreach (int w in affected.ToArray())
            {
                Count(w, -1, touched);
                string[] s = _symbols[w];
                var merged = new List<string>(s.Length);
                for (int i = 0; i < s.Length; i++)
                {
                    if (i + 1 < s.Length && s[i] == a && s[i + 1] == b)
                    {
                        merged.Add(a + b);
                        i++;
                    }
                    else
                    {
                        merged.Add(s[i]);
                    }
                }

                _symbols[w] = [.. merged];
                Count(w, +1, touched);
            }

            foreach (var pair in touched)
            {
                long n = _pairCounts.GetValueOrDefault(pair);
                if (n > 0)
                {
                    _heap.Enqueue(pair, (n, pair.Item1 + pair.Item2));
                }
            }
        }

        private void Count(int w, int sign, HashSet<(string, string)>? touched = null)
        {
            string[] s = _symbols[w];
            for (int i = 0; i + 1 < s.Length; i++)
            {
                if (s[i][0] == '\0' || s[i + 1][0] == '\0')
                {
                    continue;
                }

                var pair = (s[i], s[i + 1]);
                _pairCounts[pair] = _pairCounts.GetValueOrDefault(pair) + (sign * _freq[w]);
                if (!_pairWords.TryGetValue(pair, out var set))
                {
                    _pairWords[pair] = set = [];
                }

                if (sign > 0)
                {
                    set.Add(w);
                }

                touched?.Add(pair);
            }

            if (sign < 0)
            {
                for (int i = 0; i + 1 < s.Length; i++)
                {
                    if (_pairWords.TryGetValue((s[i], s[i + 1]), out var set))
                    {
                        set.Remove(w);
                    }
                }
            }
        }
    }
}
