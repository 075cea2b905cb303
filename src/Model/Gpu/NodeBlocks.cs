namespace PaDeLLM.Model.Gpu;

/// <summary>
/// One prefix-tree node's blocks of the device K/V pool: position p of the node is slot
/// blocks[p / 16] · 16 + p % 16. Returned to the pool when the node is collected.
/// </summary>
public sealed class NodeBlocks
{
    private readonly List<int> _blocks = [];

    internal NodeBlocks(KvBlockPool pool) => Pool = pool;

    ~NodeBlocks() => Pool.Return(_blocks);

    public KvBlockPool Pool { get; }

    public int Capacity => _blocks.Count * KvBlockPool.BlockTokens;

    public long Bytes => _blocks.Count * Pool.BytesPerBlock;

    public int Slot(int position) =>
        (_blocks[position / KvBlockPool.BlockTokens] * KvBlockPool.BlockTokens) + (position % KvBlockPool.BlockTokens);

    /// <summary>Makes room for positions 0 … <paramref name="positions"/> − 1.</summary>
    internal void Reserve(int positions)
    {
        while (Capacity < positions)
        {
            _blocks.Add(Pool.Rent());
        }
    }
}
