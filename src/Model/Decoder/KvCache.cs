namespace PaDeLLM.Model.Decoder;

/// <summary>
/// Creates prefix-tree roots for one model and sets how their K/V is laid out. What a tree keeps
/// alive is the sum of its live nodes' <see cref="KvNode.AllocatedBytes"/>: a finished leaf is
/// freed by the collector unseen, so no running total here could say it.
/// </summary>
public sealed class KvCache
{
    /// <summary>Most floats in one chunk: 64 KB, under the 85,000-byte large-object threshold.</summary>
    private const int ChunkFloats = 16 * 1024;

    /// <param name="layers">The model's decoder layers.</param>
    /// <param name="kvDim">Floats per position of one layer's keys (and of its values).</param>
    /// <param name="chunkTokens">
    /// Positions per K/V chunk; by default 64, fewer for wide K/V so a chunk stays ≤ 64 KB.
    /// </param>
    public KvCache(int layers, int kvDim, int? chunkTokens = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kvDim, 1);
        Layers = layers;
        KvDim = kvDim;
        ChunkTokens = chunkTokens ?? Math.Clamp(ChunkFloats / kvDim, 1, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkTokens, 1, nameof(chunkTokens));
    }

    public int Layers { get; }

    /// <summary>Floats per position of one layer's keys (and of its values).</summary>
    public int KvDim { get; }

    /// <summary>Positions per K/V chunk of a node.</summary>
    public int ChunkTokens { get; }

    public int Nodes { get; private set; }

    public KvNode CreateRoot() => Track(new KvNode(this, null));

    internal KvNode Track(KvNode node)
    {
        Nodes++;
        return node;
    }
}
