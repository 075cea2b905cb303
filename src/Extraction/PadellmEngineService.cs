using PaDeLLM.Contracts.Engine;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Parsing;
using PaDeLLM.Ner.Prompts;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Extraction;

/// <summary>
/// The model behind the activities and the GPU host, one call per PaDeLLM step so a durable
/// orchestrator can fan them out. All decoding goes through a <see cref="ContinuousBatcher"/>,
/// so concurrent callers share decode steps. A prefix cache keyed by text holds each text's
/// prompt prefix (prefilled once) and, per label, the committed count branch that the label's
/// mention calls continue from; it is bounded in entries and bytes, least recently used first out.
/// </summary>
public sealed class PadellmEngineService : IPadellmEngine, IDisposable
{
    private readonly DecoderModel _model;
    private readonly ITokenizer _tokenizer;
    private readonly ContinuousBatcher _batcher;
    private readonly bool _ownsBatcher;
    private readonly StopTokens _stops;
    private readonly CopyDecoding _copy;
    private readonly LinkedList<TextEntry> _lru = new();
    private readonly Dictionary<(string, PromptLanguage), LinkedListNode<TextEntry>> _texts = [];
    private int _cacheHits, _textsEncoded;

    public PadellmEngineService(DecoderModel model, ITokenizer tokenizer, ContinuousBatcher? batcher = null)
    {
        _model = model;
        _tokenizer = tokenizer;
        _ownsBatcher = batcher is null;
        _batcher = batcher ?? new ContinuousBatcher(model);
        _stops = StopTokens.For(tokenizer);
        _copy = CopyDecoding.For(tokenizer, _stops);
    }

    public string ModelName { get; init; } = "padellm";

    public ExtractionLimits Limits { get; init; } = ExtractionLimits.Default;

    /// <summary>Mentions copied from the text (<see cref="CopyDecoding"/>); false: the paper's free decoding.</summary>
    public bool CopyMentions { get; init; } = true;

    /// <summary>Most texts kept in the prefix cache.</summary>
    public int CacheEntries { get; init; } = 64;

    /// <summary>Most K/V bytes the cached texts may hold.</summary>
    public long CacheBytes { get; init; } = 512L << 20;

    public ContinuousBatcher Batcher => _batcher;

    /// <summary>Texts now in the prefix cache (at most <see cref="CacheEntries"/>).</summary>
    public int CachedTexts
    {
        get
        {
            lock (_lru)
            {
                return _lru.Count;
            }
        }
    }

    /// <summary>
    /// K/V bytes the cached texts now hold (at most <see cref="CacheBytes"/>, beyond the newest text).
    /// </summary>
    public long CachedBytes
    {
        get
        {
            lock (_lru)
            {
                return _lru.Sum(e => e.RetainedBytes);
            }
        }
    }

    /// <summary>Mention calls served from a cached label branch.</summary>
    public int CacheHits => Volatile.Read(ref _cacheHits);

    /// <summary>Texts whose shared prompt prefix had to be encoded (each once while cached).</summary>
    public int TextPrefixesEncoded => Volatile.Read(ref _textsEncoded);

    public async Task<IReadOnlyList<CountAnswer>> CountAsync(
        string text, LabelSchema schema, CancellationToken cancel = default)
    {
        string[] prompts = schema.Labels.Select(l => CountPrompt.Build(text, l, schema.Language)).ToArray();
        int[][] encoded = prompts.Select(_tokenizer.Encode).ToArray();
        Limits.EnsureFits(encoded, _model.Config.ContextLength); // before any work for this text
        TextEntry entry = Entry(text, schema.Language);
        (KvNode textNode, int[] textTokens) = await entry.Prefix(this, cancel);
        var requests = encoded.Select(full =>
        {
            return TokenPath.Remainder(full, textTokens) is int[] rest
                ? new GenerationRequest(textNode, rest, Limits.MaxCountTokens, _stops.Count)
                : new GenerationRequest(
                    _model.NewCache().CreateRoot(), Whole(full), Limits.MaxCountTokens, _stops.Count);
        }).ToList();
        IReadOnlyList<GenerationResult> results = await _batcher.GenerateAsync(requests, cancel);

        var answers = new List<CountAnswer>();
        var toCommit = new List<(int Index, string Output)>();
        for (int i = 0; i < results.Count; i++)
        {
            (string output, Parsed<int> count) =
                OutputReader.Count(results[i], _tokenizer, _stops.Eos, Limits.MaxCount);
            answers.Add(OutputReader.CountAnswer(schema.Labels[i].Key, count, results[i], ModelName));
            if (count.Ok && count.Value > 0)
            {
                toCommit.Add((i, output));
            }
        }

        // Cache each positive count's last token too, so the label's mention calls branch from here.
        if (toCommit.Count > 0)
        {
            IReadOnlyList<GenerationResult> committed = await _batcher.GenerateAsync(
                toCommit.Select(c => new GenerationRequest(
                    results[c.Index].Node, [results[c.Index].Tokens[^1]], 0, GenerationRequest.NoStop)).ToList(),
                cancel);
            for (int j = 0; j < toCommit.Count; j++)
            {
                (int i, string output) = toCommit[j];
                KvNode node = committed[j].Node;
                entry.Remember(schema.Labels[i].Key, new LabelBranch(node, [.. node.AllTokens()], prompts[i] + output));
            }
        }

        Evict();
        return answers;
    }

    public async Task<MentionAnswer> MentionAsync(
        string text, LabelSchema schema, MentionCall call, CancellationToken cancel = default)
    {
        (string label, int count, int k) = (call.Label, call.Count, call.K);
        EntityLabel entity = schema.Get(label);
        string marker = PromptTemplate.For(schema.Language).MentionMarker(k);
        GenerationRequest request;
        TextEntry? cached = Peek(text, schema.Language);
        LabelBranch? hit = cached?.Branch(label);
        if (hit is not null && TokenPath.Remainder(_tokenizer.Encode(hit.Context + marker), hit.Tokens) is int[] rest)
        {
            Interlocked.Increment(ref _cacheHits);
            request = new GenerationRequest(hit.Node, rest, Limits.MaxMentionTokens, _stops.Mention);
        }
        else if (_model.Config.BidirectionalText)
        {
            // Cache miss, a model that reads its text bidirectionally: from the text's cached (or new) prefix.
            int[] full = _tokenizer.Encode(MentionPrompt.Build(text, entity, schema.Language, count, k));
            (KvNode textNode, int[] textTokens) = await Entry(text, schema.Language).Prefix(this, cancel);
            int[] afterText = TokenPath.Remainder(full, textTokens) ?? Whole(full);
            request = new GenerationRequest(textNode, afterText, Limits.MaxMentionTokens, _stops.Mention);
        }
        else
        {
            // Cache miss (evicted, or another process counted): the full prompt from scratch.
            string prompt = MentionPrompt.Build(text, entity, schema.Language, count, k);
            request = new GenerationRequest(
                _model.NewCache().CreateRoot(), _tokenizer.Encode(prompt), Limits.MaxMentionTokens, _stops.Mention);
        }

        if (CopyMentions)
        {
            // A cached text's mention calls share one constraint: its token ids are encoded once. A mention decoded
            // again (a repeat) has its own, barred from its label's strings.
            request = request with
            {
                Constraint = call.Again is RepeatBars bars
                    ? _copy.For(text, bars)
                    : cached?.CopyConstraint(_copy) ?? _copy.For(text),
            };
        }

        GenerationResult r = (await _batcher.GenerateAsync([request], cancel))[0];
        return OutputReader.MentionAnswer(call, r, _tokenizer);
    }

    // A prompt decoded whole, from an empty cache: only a causal model can read its text so.
    private int[] Whole(int[] prompt) => _model.Config.BidirectionalText
        ? throw new InvalidOperationException(BidirectionalText.MergedAcrossText)
        : prompt;

    public void Dispose()
    {
        if (_ownsBatcher)
        {
            _batcher.Dispose();
        }
    }

    // The text's cache entry, created if new; either way now the most recently used.
    private TextEntry Entry(string text, PromptLanguage language)
    {
        lock (_lru)
        {
            if (TouchLocked(text, language) is TextEntry cached)
            {
                return cached;
            }

            var entry = new TextEntry(text, language, _model.NewCache());
            _texts[(text, language)] = _lru.AddFirst(entry);
            return entry;
        }
    }

    private TextEntry? Peek(string text, PromptLanguage language)
    {
        lock (_lru)
        {
            return TouchLocked(text, language);
        }
    }

    // Moves a cached text to the front of the LRU list; the caller holds the lock.
    private TextEntry? TouchLocked(string text, PromptLanguage language)
    {
        if (!_texts.TryGetValue((text, language), out var node))
        {
            return null;
        }

        _lru.Remove(node);
        _lru.AddFirst(node);
        return node.Value;
    }

    private void Evict()
    {
        lock (_lru)
        {
            long bytes = _lru.Sum(e => e.RetainedBytes);
            while (_lru.Count > 1 && (_lru.Count > CacheEntries || bytes > CacheBytes))
            {
                TextEntry last = _lru.Last!.Value;
                bytes -= last.RetainedBytes;
                _lru.RemoveLast();
                _texts.Remove((last.Text, last.Language));
            }
        }
    }

    /// <summary>
    /// A label's committed count branch for one text: its
    /// node, the tokens on its path and the text they spell.
    /// </summary>
    private sealed record LabelBranch(KvNode Node, int[] Tokens, string Context);

    /// <summary>
    /// One cached text: its own K/V cache (so evicting it
    /// frees everything), its prefix, its label branches.
    /// </summary>
    private sealed class TextEntry(string text, PromptLanguage language, KvCache cache)
    {
        private readonly Dictionary<string, LabelBranch> _branches = new(StringComparer.Ordinal);
        private Task<(KvNode, int[])>? _prefix;
        private ITokenConstraint? _copy;

        public string Text { get; } = text;

        public PromptLanguage Language { get; } = language;

        public KvCache Cache { get; } = cache;

        // The tokens every count prompt of the text starts with ("text:\n{TEXT}\nentity type:\n"), prefilled once.
        public Task<(KvNode Node, int[] Tokens)> Prefix(PadellmEngineService owner, CancellationToken cancel)
        {
            lock (_branches)
            {
                if (_prefix is null || _prefix.IsFaulted || _prefix.IsCanceled)
                {
                    _prefix = Encode(owner, cancel);
                }

                return _prefix;
            }
        }

        /// <summary>
        /// The K/V this entry keeps alive: its prefix and its label branches with their ancestors. A
        /// mention call's own branch is garbage once answered, so it does not count (the cache's
        /// running total of everything ever allocated would grow with every call).
        /// </summary>
        public long RetainedBytes
        {
            get
            {
                var nodes = new HashSet<KvNode>(ReferenceEqualityComparer.Instance);
                lock (_branches)
                {
                    if (_prefix is { IsCompletedSuccessfully: true } p)
                    {
                        nodes.UnionWith(p.Result.Item1.Path());
                    }

                    foreach (LabelBranch b in _branches.Values)
                    {
                        nodes.UnionWith(b.Node.Path());
                    }
                }

                return nodes.Sum(n => n.AllocatedBytes);
            }
        }

        public ITokenConstraint CopyConstraint(CopyDecoding copy)
        {
            lock (_branches)
            {
                return _copy ??= copy.For(Text);
            }
        }

        public LabelBranch? Branch(string label)
        {
            lock (_branches)
            {
                return _branches.GetValueOrDefault(label);
            }
        }

        public void Remember(string label, LabelBranch branch)
        {
            lock (_branches)
            {
                _branches[label] = branch;
            }
        }

        // A model that reads its text bidirectionally prefills the text alone, as one segment; the label header
        // then goes on causally with each count prompt.
        private async Task<(KvNode, int[])> Encode(PadellmEngineService owner, CancellationToken cancel)
        {
            PromptTemplate t = PromptTemplate.For(Language);
            bool bidirectional = owner._model.Config.BidirectionalText;
            int[] tokens = owner._tokenizer.Encode(t.TextHeader + Text + (bidirectional ? "" : t.LabelHeader));
            GenerationResult r = (await owner._batcher.GenerateAsync(
                [new GenerationRequest(Cache.CreateRoot(), tokens, 0, GenerationRequest.NoStop)
                {
                    BidirectionalPrompt = bidirectional,
                }], cancel))[0];
            Interlocked.Increment(ref owner._textsEncoded);
            return (r.Node, tokens);
        }
    }
}
