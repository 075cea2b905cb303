using PaDeLLM.Model.Gpu;
using PaDeLLM.Model.Kernels;

namespace PaDeLLM.Model.Decoder;

/// <summary>
/// A node of the prefix-tree KV cache: the keys and values of a run of consecutive positions
/// that continue its parent's. A token attends to every ancestor's positions and to its own
/// node's earlier ones, so PaDeLLM's tree — text, then a branch per label, then a branch per
/// (label, k) — computes each shared prefix once. A node that has children is frozen: growing
/// it would shift what its children see.
/// </summary>
/// <remarks>
/// Each layer's K and V are kept in chunks of <see cref="KvCache.ChunkTokens"/> positions (the last
/// one grown by doubling), never one array resized to the sequence: every chunk stays under the
/// runtime's large-object threshold, so a host serving texts all day frees its K/V in the cheap,
/// compacting collections instead of fragmenting the large-object heap.
/// </remarks>
public sealed class KvNode
{
    private readonly List<int> _tokens = [];
    private readonly List<float[]>[] _keys;
    private readonly List<float[]>[] _values;
    private int _children;
    private int _capacity; // positions the chunks hold

    internal KvNode(KvCache cache, KvNode? parent)
    {
        Cache = cache;
        Parent = parent;
        StartPosition = parent?.EndPosition ?? 0;
        Depth = parent is null ? 0 : parent.Depth + 1;
        _keys = new List<float[]>[cache.Layers];
        _values = new List<float[]>[cache.Layers];
        for (int l = 0; l < cache.Layers; l++)
        {
            _keys[l] = [];
            _values[l] = [];
        }
    }

    public KvCache Cache { get; }

    public KvNode? Parent { get; }

    public int Depth { get; }

    /// <summary>Absolute position of this node's first token.</summary>
    public int StartPosition { get; }

    /// <summary>Tokens cached in this node.</summary>
    public int Length => _tokens.Count;

    public int EndPosition => StartPosition + Length;

    public bool IsFrozen => _children > 0;

    public IReadOnlyList<int> Tokens => _tokens;

    /// <summary>This node's K/V blocks on a GPU backend's device; null on the CPU engine, which uses chunks.</summary>
    public NodeBlocks? DeviceBlocks { get; internal set; }

    /// <summary>
    /// A new empty child continuing at <see cref="EndPosition"/>; this node is frozen from now on, so
    /// the room it kept for growing is given back (a cached text holds only the positions it has).
    /// </summary>
    public KvNode Branch()
    {
        if (_children++ == 0)
        {
            Trim();
        }

        return Cache.Track(new KvNode(Cache, this));
    }

    /// <summary>
    /// Forgets this node's tokens from <paramref name="length"/> on (e.g. rejected draft tokens); their K/V slots are
    /// reused.
    /// </summary>
    public void Truncate(int length)
    {
        if (IsFrozen)
        {
            throw new InvalidOperationException("cannot truncate a node that has branches");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        _tokens.RemoveRange(length, Length - length);
    }

    /// <summary>This node and its ancestors, root first.</summary>
    public List<KvNode> Path()
    {
        var path = new List<KvNode>(Depth + 1);
        for (KvNode? n = this; n is not null; n = n.Parent)
        {
            path.Add(n);
        }

        path.Reverse();
        return path;
    }

    /// <summary>Every token from the root to here.</summary>
    public List<int> AllTokens() => Path().SelectMany(n => n.Tokens).ToList();

    /// <summary>Makes room for <paramref name="extra"/> more positions.</summary>
    internal void Reserve(int extra)
    {
        int kvDim = Cache.KvDim;
        int needed = Length + extra;
        int chunk = Cache.ChunkTokens;
        while (_capacity < needed)
        {
            int chunks = _keys[0].Count;
            int last = chunks == 0 ? chunk : _keys[0][^1].Length / kvDim;
            int size;
            if (last < chunk)
            {
                // Grow the partial last chunk: doubling, at least to what is needed, at most a whole chunk.
                size = Math.Min(chunk, Math.Max(needed - (_capacity - last), Math.Max(16, last * 2)));
                for (int l = 0; l < _keys.Length; l++)
                {
                    _keys[l][^1] = Grown(_keys[l][^1], size * kvDim);
                    _values[l][^1] = Grown(_values[l][^1], size * kvDim);
                }

                _capacity += size - last;
            }
            else
            {
                size = Math.Min(chunk, Math.Max(needed - _capacity, 16));
                for (int l = 0; l < _keys.Length; l++)
                {
                    _keys[l].Add(new float[size * kvDim]);
                    _values[l].Add(new float[size * kvDim]);
                }

                _capacity += size;
            }
        }

    }

    /// <summary>Stores the key and value of this node's position <paramref name="index"/> in one layer.</summary>
    internal void Store(int layer, int index, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        int chunk = Cache.ChunkTokens;
        int offset = index % chunk * key.Length;
        key.CopyTo(_keys[layer][index / chunk].AsSpan(offset));
        value.CopyTo(_values[layer][index / chunk].AsSpan(offset));
    }

    /// <summary>
    /// Appends this node's first <paramref name="visible"/> positions of one layer as attention runs.
    /// </summary>
    internal void AddRuns(List<KvRun> runs, int layer, int visible)
    {
        int chunk = Cache.ChunkTokens;
        for (int c = 0; c * chunk < visible; c++)
        {
            runs.Add(new KvRun(_keys[layer][c], _values[layer][c], Math.Min(chunk, visible - (c * chunk))));
        }
    }

    /// <summary>The bytes of K/V this node itself holds (its ancestors' not included).</summary>
    public long AllocatedBytes =>
        (2L * _keys.Length * _capacity * Cache.KvDim * sizeof(float)) + (DeviceBlocks?.Bytes ?? 0);

    internal void Commit(ReadOnlySpan<int> tokens)
    {
        foreach (int t in tokens)
        {
            _tokens.Add(t);
        }
    }

    private void Trim()
    {
        if (_capacity == Length || _capacity == 0)
        {
            return; // nothing kept for growing, or the K/V lives on a device (DeviceBlocks)
        }

        int chunk = Cache.ChunkTokens;
        int chunks = (Length + chunk - 1) / chunk;
        int last = (Length - ((chunks - 1) * chunk)) * Cache.KvDim; // floats of the last chunk in use
        for (int l = 0; l < _keys.Length; l++)
        {
            _keys[l].RemoveRange(chunks, _keys[l].Count - chunks);
            _values[l].RemoveRange(chunks, _values[l].Count - chunks);
            if (chunks > 0)
            {
                _keys[l][^1] = _keys[l][^1].AsSpan(0, last).ToArray();
                _values[l][^1] = _values[l][^1].AsSpan(0, last).ToArray();
            }
        }

        _capacity = Length;
    }

    private static float[] Grown(float[] chunk, int length)
    {
        var grown = new float[length];
        chunk.CopyTo(grown, 0);
        return grown;
    }
}
