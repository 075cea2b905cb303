using System.Text;
using PaDeLLM.Tokenizers.Bpe;

namespace PaDeLLM.Tokenizers.SentencePiece;

/// <summary>
/// SentencePiece BPE from a <c>tokenizer.model</c>: whitespace escaped to ▁ (with a dummy ▁
/// prefix when the model asks), user-defined pieces kept whole, then BPE by piece score
/// (highest first, leftmost on ties), then characters missing from the vocabulary spelled as
/// &lt;0xNN&gt; byte pieces. Special pieces in the text are plain text, as in SentencePiece.
/// </summary>
public sealed class SentencePieceTokenizer : ITokenizer
{
    private const char Space = '\u2581';
    private readonly SentencePieceModelFile _model;
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<char, List<string>> _userDefined = [];
    private readonly int?[] _byteIds = new int?[256];
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idsBySpan;

    public SentencePieceTokenizer(SentencePieceModelFile model, string source)
    {
        if (model.ModelType != 2)
        {
            throw new TokenizerException($"{source}: model_type {(model.ModelType == 1 ? "UNIGRAM"
                : model.ModelType.ToString(System.Globalization.CultureInfo.InvariantCulture))} "
                + $"is not supported (only BPE)");
        }

        if (model.NormalizerName != "identity" && model.PrecompiledCharsmapBytes > 0)
        {
            throw new TokenizerException($"{source}: normalizer '{model.NormalizerName}' with a precompiled charsmap "
                + $"is not supported (only identity)");
        }

        _model = model;
        _idsBySpan = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        for (int i = 0; i < model.Pieces.Count; i++)
        {
            (string piece, _, PieceType type) = model.Pieces[i];
            _ids.TryAdd(piece, i);
            if (type == PieceType.UserDefined && piece.Length > 0)
            {
                if (!_userDefined.TryGetValue(piece[0], out var list))
                {
                    _userDefined[piece[0]] = list = [];
                }

                list.Add(piece);
            }

            if (type == PieceType.Byte && ByteFallback.ByteOf(piece) is byte b)
            {
                _byteIds[b] = i;
            }
        }

        foreach (var list in _userDefined.Values)
        {
            list.Sort((a, b) => b.Length.CompareTo(a.Length)); // longest match first
        }
    }

    public int VocabSize => _model.Pieces.Count;

    public int? BosId => _model.BosId >= 0 ? _model.BosId : null;

    public int? EosId => _model.EosId >= 0 ? _model.EosId : null;

    public static SentencePieceTokenizer Load(string path) => new(SentencePieceModelFile.Read(path), path);

    public string? IdToToken(int id) => (uint)id < (uint)_model.Pieces.Count ? _model.Pieces[id].Piece : null;

    public int? TokenToId(string token) => _ids.TryGetValue(token, out int id) ? id : null;

    public IReadOnlyList<string> EncodeToPieces(string text) =>
        Encode(text).Select(id => _model.Pieces[id].Piece).ToArray();

    public int[] Encode(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        string normalized = Normalize(text);
        var symbols = new List<string>();
        var atomic = new HashSet<int>();
        for (int i = 0; i < normalized.Length;)
        {
            if (_userDefined.TryGetValue(normalized[i], out var candidates)
                && candidates.FirstOrDefault(c =>
                    string.CompareOrdinal(normalized, i, c, 0, c.Length) == 0) is string user)
            {
                atomic.Add(symbols.Count);
                symbols.Add(user);
                i += user.Length;
                continue;
            }

            int len = char.IsHighSurrogate(normalized[i]) && i + 1 < normalized.Length ? 2 : 1;
            symbols.Add(normalized.Substring(i, len));
            i += len;
        }

        List<string> merged = BpeMerger.Merge(symbols, MergePriority, atomic);
        var ids = new List<int>(merged.Count);
        bool lastUnknown = false;
        foreach (string s in merged)
        {
            if (_ids.TryGetValue(s, out int id) && _model.Pieces[id].Type != PieceType.Unused)
            {
                ids.Add(id);
                lastUnknown = false;
                continue;
            }

            if (_model.ByteFallback)
            {
                foreach (byte b in Encoding.UTF8.GetBytes(s))
                {
                    ids.Add(_byteIds[b] ?? _model.UnkId);
                }

                lastUnknown = false;
                continue;
            }

            if (!lastUnknown)
            {
                ids.Add(_model.UnkId); // a run of unknown characters is one <unk>
            }

            lastUnknown = true;
        }

        return [.. ids];
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        var sb = new StringBuilder();
        var bytes = new List<byte>();
        void Flush()
        {
            if (bytes.Count > 0)
            {
                sb.Append(ByteFallback.DecodeRun(bytes));
                bytes.Clear();
            }
        }

        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_model.Pieces.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id,
                    $"token id {id} is outside the vocabulary of {_model.Pieces.Count}");
            }

            (string piece, _, PieceType type) = _model.Pieces[id];
            if (type == PieceType.Byte && ByteFallback.ByteOf(piece) is byte b)
            {
                bytes.Add(b);
                continue;
            }

            Flush();
            switch (type)
            {
                case PieceType.Control:
                    break; // <s>, </s> have no surface
                case PieceType.Unknown:
                    sb.Append(" \u2047 ");
                    break;
                default:
                    sb.Append(_model.EscapeWhitespaces ? piece.Replace(Space, ' ') : piece);
                    break;
            }
        }

        Flush();
        if (_model.AddDummyPrefix && sb.Length > 0 && sb[0] == ' ')
        {
            sb.Remove(0, 1);
        }

        return sb.ToString();
    }

    private string Normalize(string text)
    {
        if (_model.RemoveExtraWhitespaces)
        {
            text = string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        if (_model.AddDummyPrefix)
        {
            text = " " + text;
        }

        return _model.EscapeWhitespaces ? text.Replace(' ', Space) : text;
    }

    // A pair merges if the merged piece is a normal vocabulary piece; higher scores merge first.
    // Candidates are looked up as spans: most pairs never merge, so no string is made for them.
    private double? MergePriority(string a, string b)
    {
        int length = a.Length + b.Length;
        Span<char> merged = length <= 256 ? stackalloc char[length] : new char[length];
        a.CopyTo(merged);
        b.CopyTo(merged[a.Length..]);
        return _idsBySpan.TryGetValue(merged, out int id) && _model.Pieces[id].Type == PieceType.Normal
            ? -_model.Pieces[id].Score : null;
    }
}
