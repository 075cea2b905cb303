using ILGPU;
using ILGPU.Runtime;

namespace PaDeLLM.Model.Gpu;

/// <summary>
/// The prefix-tree cache's K/V on the device: one allocation of fixed-size blocks
/// ([layers, slots, kvDim] for keys and for values), handed to tree nodes as they grow
/// (<see cref="NodeBlocks"/>) and returned when a node is collected — the same lifetime as
/// the CPU engine's chunks, so the prefix cache's LRU bounds (which drop nodes) free blocks too.
/// </summary>
public sealed class KvBlockPool : IDisposable
{
    /// <summary>Positions per block.</summary>
    public const int BlockTokens = 16;

    private readonly MemoryBuffer1D<float, Stride1D.Dense> _keys, _values;
    private readonly Stack<int> _free;
    private readonly object _gate = new();
    private bool _disposed;

    /// <param name="bytes">Device memory for keys and values together.</param>
    public KvBlockPool(Accelerator accelerator, int layers, int kvDim, long bytes)
    {
        Layers = layers;
        KvDim = kvDim;
        long perBlock = 2L * layers * BlockTokens * kvDim * sizeof(float);
        Blocks = (int)Math.Clamp(bytes / perBlock, 1, int.MaxValue / BlockTokens);
        long length = (long)layers * Slots * kvDim;
        _keys = accelerator.Allocate1D<float>(length);
        _values = accelerator.Allocate1D<float>(length);
        _free = new Stack<int>(Enumerable.Range(0, Blocks).Reverse());
    }

    public int Layers { get; }

    public int KvDim { get; }

    public int Blocks { get; }

    public int Slots => Blocks * BlockTokens;

    public long BytesPerBlock => 2L * Layers * BlockTokens * KvDim * sizeof(float);

    public int FreeBlocks
    {
        get
        {
            lock (_gate)
            {
                return _free.Count;
            }
        }
    }

    public ArrayView<float> Keys => _keys.View;

    public ArrayView<float> Values => _values.View;

    /// <summary>Where one layer's slots start in <see cref="Keys"/> and <see cref="Values"/>.</summary>
    public long LayerStart(int layer) => (long)layer * Slots * KvDim;

    /// <summary>
    /// A free block. When none is left, nodes nobody holds may still await collection: collect
    /// once, then fail with the pool's size, never wait.
    /// </summary>
    internal int Rent()
    {
        for (int attempt = 0; ; attempt++)
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_free.Count > 0)
                {
                    return _free.Pop();
                }
            }

            if (attempt > 0)
            {
                throw new InvalidOperationException(
                    $"the device K/V pool is full: {Blocks:N0} blocks of {BlockTokens} positions "
                    + $"({(long)Blocks * BytesPerBlock / (1 << 20):N0} MiB) are held by live sequences; "
                    + "give the pool more memory (--gpu-kv-mb) or cache fewer texts");
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    internal void Return(List<int> blocks)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            foreach (int b in blocks)
            {
                _free.Push(b);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _keys.Dispose();
        _values.Dispose();
    }
}
