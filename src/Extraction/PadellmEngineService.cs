using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Parsing;
using PaDeLLM.Ner.Prompts;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Extraction;

/// <summary>The answer to a count call: the parsed count (or why not) and the tokens generated.</summary>
public sealed record CountAnswer(string Label, int? Count, string? Failure, int GeneratedTokens);

/// <summary>The answer to a mention call.</summary>
public sealed record MentionAnswer(string Label, int K, string? Mention, double LogProbability, string? Failure, int GeneratedTokens);

/// <summary>
/// The model behind the activities, one call per PaDeLLM step so a durable orchestrator can fan
/// them out: <see cref="Count"/> decodes every label's count for a text at once and keeps each
/// label's committed branch in a prefix cache keyed by (text, label); <see cref="Mention"/>
/// continues from that branch, so a document's mention calls reuse the K/V its count call computed.
/// Calls are serialised on the model (continuous batching across callers is the GPU host's job).
/// </summary>
public sealed class PadellmEngineService(DecoderModel model, ITokenizer tokenizer, int cacheEntries = 256) : IPadellmEngine
{
    public string ModelName { get; init; } = "padellm";

    public Task<IReadOnlyList<CountAnswer>> CountAsync(string text, LabelSchema schema, CancellationToken cancel = default) =>
        Task.FromResult(Count(text, schema));

    public Task<MentionAnswer> MentionAsync(string text, LabelSchema schema, string label, int count, int k, CancellationToken cancel = default) =>
        Task.FromResult(Mention(text, schema, label, count, k));

    private readonly object _gate = new();
    private readonly LinkedList<CacheEntry> _lru = new();
    private readonly Dictionary<(string, PromptLanguage), (KvNode, int[])> _texts = [];
    private readonly HashSet<int> _newlines = OutputReader.NewlineTokens(tokenizer);

    public int MaxCountTokens { get; init; } = 4;

    /// <summary>Mention calls served from a cached label branch.</summary>
    public int CacheHits { get; private set; }

    public int MaxMentionTokens { get; init; } = 32;

    public IReadOnlyList<CountAnswer> Count(string text, LabelSchema schema)
    {
        lock (_gate)
        {
            int eos = tokenizer.EosId!.Value;
            var generator = new GreedyGenerator(model);
            string[] prompts = schema.Labels.Select(l => CountPrompt.Build(text, l, schema.Language)).ToArray();
            (KvNode textNode, int[] textTokens) = TextPrefix(text, schema.Language);
            var results = generator.Generate(prompts.Select(p =>
            {
                int[] full = tokenizer.Encode(p);
                return TokenPath.Remainder(full, textTokens) is int[] rest
                    ? new GenerationRequest(textNode, rest, MaxCountTokens, new HashSet<int>(_newlines) { eos })
                    : new GenerationRequest(model.NewCache().CreateRoot(), full, MaxCountTokens, new HashSet<int>(_newlines) { eos });
            }).ToList());
            var answers = new List<CountAnswer>();
            var toCommit = new List<(int Index, string Output)>();
            for (int i = 0; i < results.Count; i++)
            {
                (string output, Parsed<int> count) = OutputReader.Count(results[i], tokenizer, eos, CountOutputParser.DefaultMaxCount);
                answers.Add(new CountAnswer(schema.Labels[i].Key, count.Ok ? count.Value : null, count.Failure?.ToString(), results[i].Tokens.Length));
                if (count.Ok && count.Value > 0)
                {
                    toCommit.Add((i, output));
                }
            }

            IReadOnlyList<KvNode> nodes = generator.CommitLastTokens(toCommit.Select(c => results[c.Index]).ToList());
            for (int j = 0; j < toCommit.Count; j++)
            {
                (int i, string output) = toCommit[j];
                Remember(new CacheEntry(text, schema.Labels[i].Key, nodes[j], [.. nodes[j].AllTokens()], prompts[i] + output));
            }

            return answers;
        }
    }

    public MentionAnswer Mention(string text, LabelSchema schema, string label, int count, int k)
    {
        lock (_gate)
        {
            int eos = tokenizer.EosId!.Value;
            EntityLabel entity = schema.Get(label);
            string marker = PromptTemplate.For(schema.Language).MentionMarker(k);
            GenerationRequest request;
            CacheEntry? hit = _lru.FirstOrDefault(e => e.Text == text && e.Label == label);
            if (hit is not null && TokenPath.Remainder(tokenizer.Encode(hit.Context + marker), hit.Tokens) is int[] rest)
            {
                CacheHits++;
                request = new GenerationRequest(hit.Node, rest, MaxMentionTokens, new HashSet<int> { eos });
            }
            else
            {
                // Cache miss (evicted, or another process counted): the full prompt from scratch.
                string prompt = MentionPrompt.Build(text, entity, schema.Language, count, k);
                request = new GenerationRequest(model.NewCache().CreateRoot(), tokenizer.Encode(prompt), MaxMentionTokens, new HashSet<int> { eos });
            }

            GenerationResult r = new GreedyGenerator(model).Generate([request])[0];
            Parsed<string> mention = OutputReader.Mention(r, tokenizer);
            return new MentionAnswer(label, k, mention.Value, r.ContentLogProbability, mention.Failure?.ToString(), r.Tokens.Length);
        }
    }

    /// <summary>Texts whose shared prompt prefix had to be encoded (each once while cached).</summary>
    public int TextPrefixesEncoded { get; private set; }

    // The tokens every count prompt of a text starts with ("text:\n{TEXT}\nentity type:\n"), prefilled once per text.
    private (KvNode Node, int[] Tokens) TextPrefix(string text, PromptLanguage language)
    {
        if (_texts.TryGetValue((text, language), out var cached))
        {
            return cached;
        }

        PromptTemplate t = PromptTemplate.For(language);
        int[] tokens = tokenizer.Encode(t.TextHeader + text + t.LabelHeader);
        KvNode root = model.NewCache().CreateRoot();
        new GreedyGenerator(model).Prefill([new Segment(root, tokens)]);
        TextPrefixesEncoded++;
        if (_texts.Count >= cacheEntries)
        {
            _texts.Clear(); // coarse eviction keeps the bound; label branches hold their own references
        }

        _texts[(text, language)] = (root, tokens);
        return (root, tokens);
    }

    private void Remember(CacheEntry entry)
    {
        CacheEntry? existing = _lru.FirstOrDefault(e => e.Text == entry.Text && e.Label == entry.Label);
        if (existing is not null)
        {
            _lru.Remove(existing);
        }

        _lru.AddFirst(entry);
        while (_lru.Count > cacheEntries)
        {
            _lru.RemoveLast();
        }
    }

    /// <summary>A label's committed count branch for one text: its node, the tokens on its path and the text they spell.</summary>
    private sealed record CacheEntry(string Text, string Label, KvNode Node, int[] Tokens, string Context);
}
