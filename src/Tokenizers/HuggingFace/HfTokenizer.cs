using System.Text.Json;

namespace PaDeLLM.Tokenizers.HuggingFace;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> with a BPE model: added tokens are found in the raw
/// text first; every other segment is normalized, pre-tokenized and BPE-encoded; decoding runs
/// the decoder chain. Components this class does not implement are a clear error naming them.
/// </summary>
public sealed class HfTokenizer : ITokenizer
{
    private readonly BpeModel _model;
    private readonly AddedVocabulary _added;
    private readonly Func<string, string>? _normalizer;
    private readonly Func<List<string>, List<string>>? _preTokenizer;
    private readonly Func<List<string>, List<string>>? _decoder;
    private readonly Dictionary<int, string> _idToToken = [];

    private HfTokenizer(JsonElement root, string source)
    {
        if (!root.TryGetProperty("model", out JsonElement model))
        {
            throw new TokenizerException($"{source}: missing \"model\"");
        }

        string type = model.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()!
            : "BPE";
        if (type != "BPE")
        {
            throw new TokenizerException($"{source}: model type '{type}' is not supported (only BPE)");
        }

        _model = new BpeModel(model, $"{source}: model");
        _added = new AddedVocabulary(
            root.TryGetProperty("added_tokens", out JsonElement added) ? added : null, $"{source}: added_tokens");
        _normalizer = Optional(root, "normalizer", e => Normalizers.Create(e, $"{source}: normalizer"));
        _preTokenizer = Optional(root, "pre_tokenizer", e => PreTokenizers.Create(e, $"{source}: pre_tokenizer"));
        _decoder = Optional(root, "decoder", e => Decoders.Create(e, $"{source}: decoder"));
        foreach ((string token, int id) in _model.Vocab)
        {
            _idToToken[id] = token;
        }

        foreach (AddedToken a in _added.Tokens)
        {
            _idToToken[a.Id] = a.Content;
        }

        BosId = TokenToId("<s>") ?? TokenToId("<|begin_of_text|>");
        EosId = TokenToId("</s>") ?? TokenToId("<|end_of_text|>") ?? TokenToId("<|endoftext|>");
    }

    public int VocabSize => _idToToken.Count == 0 ? 0 : _idToToken.Keys.Max() + 1;

    public int? BosId { get; }

    public int? EosId { get; }

    /// <summary>
    /// Whether added tokens written in the text are recognised (HF's default); off, they are plain text
    /// (tiktoken's encode_ordinary).
    /// </summary>
    public bool MatchAddedTokens { get; init; } = true;

    public IReadOnlyList<AddedToken> AddedTokens => _added.Tokens;

    public static HfTokenizer Load(string path)
    {
        return Parse(TokenizerFiles.ReadAllBytes(path), path);
    }

    public static HfTokenizer Parse(byte[] json, string source)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new TokenizerException($"{source}: must be a JSON object, not {doc.RootElement.ValueKind}");
            }

            return new HfTokenizer(doc.RootElement, source);
        }
        catch (JsonException e)
        {
            throw new TokenizerException($"{source}: not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // A field of the wrong JSON kind deep in the file (System.Text.Json's element accessors).
            throw new TokenizerException($"{source}: a field has the wrong JSON type: {e.Message}", e);
        }
    }

    public HfTokenizer WithAddedTokenMatching(bool match) => new(this, match);

    private HfTokenizer(HfTokenizer other, bool match)
    {
        _model = other._model;
        _added = other._added;
        _normalizer = other._normalizer;
        _preTokenizer = other._preTokenizer;
        _decoder = other._decoder;
        _idToToken = other._idToToken;
        BosId = other.BosId;
        EosId = other.EosId;
        MatchAddedTokens = match;
    }

    public string? IdToToken(int id) => _idToToken.TryGetValue(id, out string? t) ? t : null;

    public int? TokenToId(string token) =>
        _added.Tokens.FirstOrDefault(a => a.Content == token)?.Id
            ?? (_model.Vocab.TryGetValue(token, out int id) ? id : null);

    public int[] Encode(string text)
    {
        var ids = new List<int>();
        IEnumerable<(string Text, AddedToken? Token)> segments = MatchAddedTokens ? _added.Split(text) : [(text, null)];
        foreach ((string segment, AddedToken? token) in segments)
        {
            if (token is not null)
            {
                ids.Add(token.Id);
                continue;
            }

            string normalized;
            List<string> pieces;
            try
            {
                normalized = _normalizer is null ? segment : _normalizer(segment);
                pieces = _preTokenizer is null ? [normalized] : _preTokenizer([normalized]);
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException e)
            {
                throw new TokenizerException(
                    $"the tokenizer's pattern took over {TokenizerRegex.MatchTimeout.TotalSeconds:0} s "
                    + $"on a text of {text.Length} characters (pattern '{e.Pattern}'): the text is refused", e);
            }
            foreach (string piece in pieces)
            {
                _model.Encode(piece, ids);
            }
        }

        return [.. ids];
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        var tokens = new List<string>(ids.Count);
        foreach (int id in ids)
        {
            tokens.Add(IdToToken(id)
                ?? throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id {id} is not in the vocabulary"));
        }

        return string.Concat(_decoder is null ? tokens : _decoder(tokens));
    }

    private static T? Optional<T>(JsonElement root, string name, Func<JsonElement, T> create)
        where T : class =>
        root.TryGetProperty(name, out JsonElement e) && e.ValueKind != JsonValueKind.Null ? create(e) : null;
}
