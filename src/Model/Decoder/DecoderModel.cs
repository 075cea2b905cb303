using System.Buffers;
using System.Runtime.InteropServices;
using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Gpu;
using PaDeLLM.Model.Kernels;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Model.Decoder;

/// <summary>
/// The Llama/Qwen2 decoder forward pass over a batch of segments — each a run of new tokens
/// appended to its own prefix-tree node — in one set of matrix multiplications. Prefill
/// (long segments) and decode (one token per sequence) are the same call.
/// </summary>
public sealed unsafe class DecoderModel : IDisposable
{
    private readonly Rope _rope;
    private readonly GpuDecoder? _gpu;

    public DecoderModel(DecoderWeights weights)
    {
        Weights = weights;
        Config = weights.Config;
        _rope = new Rope(Config.HeadDim, Config.RopeTheta);
        Backend = "cpu";
    }

    /// <summary>
    /// The model on a GPU backend: its weights uploaded to the accelerator, which the model then owns.
    /// </summary>
    public DecoderModel(DecoderWeights weights, GpuAccelerator accelerator, long? kvPoolBytes = null)
        : this(weights)
    {
        _gpu = new GpuDecoder(weights, accelerator, kvPoolBytes ?? DefaultKvPoolBytes(accelerator, weights));
        _accelerator = accelerator;
        Backend = $"gpu on {accelerator.Description}";
    }

    private readonly GpuAccelerator? _accelerator;

    /// <summary>cpu, or gpu with the device it runs on.</summary>
    public string Backend { get; }

    /// <summary>The GPU backend's decoder, when the model runs on one.</summary>
    public GpuDecoder? Gpu => _gpu;

    public DecoderWeights Weights { get; }

    public ModelConfig Config { get; }

    public static DecoderModel Load(string directory) => new(DecoderWeights.Load(directory));

    /// <summary>
    /// A checkpoint on the backend asked for (gpu: CUDA when a device is present, else ILGPU's CPU accelerator).
    /// </summary>
    public static DecoderModel Load(string directory, DecoderBackend backend, long? gpuKvPoolBytes = null)
    {
        if (backend == DecoderBackend.Cpu)
        {
            return Load(directory);
        }

        DecoderWeights weights = DecoderWeights.Load(directory);
        GpuAccelerator? accelerator = null;
        try
        {
            accelerator = GpuAccelerator.Open();
            return new DecoderModel(weights, accelerator, gpuKvPoolBytes);
        }
        catch
        {
            accelerator?.Dispose();
            weights.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The device K/V pool when none is given: 40% of what the weights leave of a CUDA device's
    /// memory; 256 MiB on the CPU accelerator.
    /// </summary>
    private static long DefaultKvPoolBytes(GpuAccelerator accelerator, DecoderWeights weights) => accelerator.IsCuda
        ? Math.Max(64L << 20, (long)((accelerator.Accelerator.MemorySize - weights.MatrixBytes) * 0.4))
        : 256L << 20;

    public KvCache NewCache() => new(Config.Layers, Config.KvDim);

    /// <summary>
    /// Runs the segments through the decoder, appending their K/V to their nodes, and returns
    /// logits [rows, vocab]: for the last token of each segment, or for every token when
    /// <paramref name="allPositions"/> (rows in segment order).
    /// </summary>
    public float[] Forward(IReadOnlyList<Segment> segments, bool allPositions = false)
    {
        int rows = allPositions ? segments.Sum(s => s.Tokens.Length) : segments.Count;
        float[] logits = new float[(long)rows * Config.VocabSize];
        Forward(segments, logits, allPositions);
        return logits;
    }

    /// <summary>
    /// <see cref="Forward(IReadOnlyList{Segment}, bool)"/> into the caller's buffer (a decode loop's,
    /// reused step after step), which must hold [rows, vocab] floats; an empty buffer only appends
    /// the K/V (a prefill whose logits nobody reads skips the vocabulary projection).
    /// </summary>
    public void Forward(IReadOnlyList<Segment> segments, Span<float> logits, bool allPositions = false)
    {
        // The weights may be memory-mapped: reading them after Dispose would be an access violation.
        ObjectDisposedException.ThrowIf(_disposed, this);
        ModelConfig c = Config;
        int total = Validate(segments);
        int h = c.HiddenSize, qd = c.QDim, kvd = c.KvDim, ff = c.IntermediateSize;
        long needed = (long)(allPositions ? total : segments.Count) * c.VocabSize;
        if (!logits.IsEmpty && logits.Length < needed)
        {
            throw new ArgumentException(
                $"the logits buffer holds {logits.Length} floats; {needed} are needed", nameof(logits));
        }

        if (_gpu is not null)
        {
            _gpu.Forward(segments, total, logits, allPositions);
            return;
        }

        // Row r of the batch: which segment, its index inside it, its absolute position.
        var rowSegment = new int[total];
        var rowIndex = new int[total];
        var tokens = new int[total];
        for (int s = 0, r = 0; s < segments.Count; s++)
        {
            for (int i = 0; i < segments[s].Tokens.Length; i++, r++)
            {
                rowSegment[r] = s;
                rowIndex[r] = i;
                tokens[r] = segments[s].Tokens[i];
            }

            segments[s].Node.Reserve(segments[s].Tokens.Length);
        }

        // Activations come from the shared pool: a prefill's are large objects, and a host allocating
        // them per call grows its heap by fragments no quick collection returns.
        float[] x = Rent(total * h), norm = Rent(total * h), delta = Rent(total * h);
        float[] q = Rent(total * qd), attn = Rent(total * qd), k = Rent(total * kvd), v = Rent(total * kvd);
        float[] gate = Rent(total * ff), up = Rent(total * ff);
        try
        {
            Run(segments, total, tokens, rowSegment, rowIndex, x, norm, delta, q, attn, k, v, gate, up);
            if (!logits.IsEmpty)
            {
                Logits(segments, allPositions, x.AsSpan(0, total * h), logits);
            }
        }
        finally
        {
            foreach (float[] buffer in (float[][])[x, norm, delta, q, attn, k, v, gate, up])
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// A forward pass that returns each segment's greedy next token and its log-probability: on the
    /// GPU backend chosen on the device (the logits stay there), on the CPU from the logits.
    /// </summary>
    public void ForwardGreedy(IReadOnlyList<Segment> segments, Span<int> tokens, Span<double> logProbs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int total = Validate(segments);
        if (tokens.Length < segments.Count || logProbs.Length < segments.Count)
        {
            throw new ArgumentException($"{segments.Count} segments need as many tokens and log-probabilities");
        }

        if (_gpu is not null)
        {
            float[] lp = new float[segments.Count];
            _gpu.ForwardGreedy(segments, total, tokens, lp);
            for (int i = 0; i < lp.Length; i++)
            {
                logProbs[i] = lp[i];
            }

            return;
        }

        int vocab = Config.VocabSize;
        float[] logits = Forward(segments);
        for (int i = 0; i < segments.Count; i++)
        {
            ReadOnlySpan<float> row = logits.AsSpan(i * vocab, vocab);
            tokens[i] = Sampling.Argmax(row);
            logProbs[i] = Sampling.LogSoftmaxAt(row, tokens[i]);
        }
    }

    private static float[] Rent(int length) => ArrayPool<float>.Shared.Rent(length);

    private void Run(
        IReadOnlyList<Segment> segments, int total, int[] tokens, int[] rowSegment, int[] rowIndex,
        float[] xs, float[] norms, float[] deltas, float[] q, float[] attn, float[] k, float[] v, float[] gates,
        float[] ups)
    {
        ModelConfig c = Config;
        int h = c.HiddenSize, qd = c.QDim, kvd = c.KvDim, ff = c.IntermediateSize;
        Span<float> x = xs.AsSpan(0, total * h), norm = norms.AsSpan(0, total * h), delta = deltas.AsSpan(0, total * h);
        Span<float> gate = gates.AsSpan(0, total * ff), up = ups.AsSpan(0, total * ff);
        Embedding.Forward(x, Weights.Embedding, tokens);
        var paths = segments.Select(s => s.Node.Path()).ToArray();

        for (int l = 0; l < c.Layers; l++)
        {
            LayerWeights w = Weights.Layers[l];

            // Attention block: x += O · attend(rope(Q·norm(x)), rope(K·norm(x)), V·norm(x)).
            RmsNorm.Forward(norm, x, w.AttentionNorm, total, c.RmsNormEps);
            fixed (float* pn = norm, pq = q, pk = k, pv = v, bq = w.QBias, bk = w.KBias, bv = w.VBias)
            {
                MatMul.ForwardShared(pn, total,
                    [new((nint)pq, w.Q, (nint)bq), new((nint)pk, w.K, (nint)bk), new((nint)pv, w.V, (nint)bv)]);
            }

            for (int r = 0; r < total; r++)
            {
                int pos = segments[rowSegment[r]].Node.EndPosition + rowIndex[r];
                _rope.Apply(q.AsSpan(r * qd, qd), c.Heads, pos);
                _rope.Apply(k.AsSpan(r * kvd, kvd), c.KvHeads, pos);
                KvNode node = segments[rowSegment[r]].Node;
                node.Store(l, node.Length + rowIndex[r], k.AsSpan(r * kvd, kvd), v.AsSpan(r * kvd, kvd));
            }

            int layer = l;
            KernelPool.For(total, r =>
            {
                Segment s = segments[rowSegment[r]];
                int last = s.Bidirectional ? s.Tokens.Length - 1 : rowIndex[r]; // the segment's last key it sees
                AttendRow(layer, r, s.Node, paths[rowSegment[r]], last, q, attn);
            });

            MatMul.Forward(delta, attn, w.O, default, total);
            Add(x, delta);

            // MLP block: x += Down · (silu(Gate · norm(x)) ⊙ Up · norm(x)).
            RmsNorm.Forward(norm, x, w.MlpNorm, total, c.RmsNormEps);
            fixed (float* pn = norm, pg = gate, pu = up)
            {
                MatMul.ForwardShared(pn, total, [new((nint)pg, w.Gate, 0), new((nint)pu, w.Up, 0)]);
            }

            SwiGlu.Forward(gate, gate, up);
            MatMul.Forward(delta, gate, w.Down, default, total);
            Add(x, delta);
        }

        foreach (Segment s in segments)
        {
            s.Node.Commit(s.Tokens);
        }
    }

    // The final norm and the vocabulary projection, only for the rows asked for.
    private void Logits(IReadOnlyList<Segment> segments, bool allPositions, ReadOnlySpan<float> x, Span<float> logits)
    {
        ModelConfig c = Config;
        int h = c.HiddenSize;
        int[] rowsWanted = LogitRows(segments, allPositions);
        int count = rowsWanted.Length;
        float[] selected = Rent(count * h);
        try
        {
            for (int i = 0; i < count; i++)
            {
                x.Slice(rowsWanted[i] * h, h).CopyTo(selected.AsSpan(i * h));
            }

            Span<float> rows = selected.AsSpan(0, count * h);
            RmsNorm.Forward(rows, rows, Weights.FinalNorm, count, c.RmsNormEps);
            MatMul.Forward(logits, rows, Weights.LmHead, default, count);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(selected);
        }
    }

    private void AttendRow(int layer, int row, KvNode node, List<KvNode> path, int index, float[] q, float[] attn)
    {
        ModelConfig c = Config;
        List<KvRun> runs = t_runs ??= [];
        runs.Clear();
        int visible = 0;
        for (int i = 0; i < path.Count - 1; i++)
        {
            path[i].AddRuns(runs, layer, path[i].Length);
            visible += path[i].Length;
        }

        int ownVisible = node.Length + index + 1; // up to and including the segment's token at index
        node.AddRuns(runs, layer, ownVisible);
        visible += ownVisible;
        float[] scores = ArrayPool<float>.Shared.Rent(visible);
        try
        {
            ReadOnlySpan<KvRun> all = CollectionsMarshal.AsSpan(runs);
            Attention.Forward(attn.AsSpan(row * c.QDim, c.QDim), q.AsSpan(row * c.QDim, c.QDim), all, all[^1].Length,
                c.Heads, c.KvHeads, c.HeadDim, scores);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
            runs.Clear(); // drop the chunk references until this thread's next row
        }
    }

    /// <summary>
    /// The batch rows whose logits are returned, in segment order: every row, or each segment's last
    /// (both backends select with this).
    /// </summary>
    internal static int[] LogitRows(IReadOnlyList<Segment> segments, bool allPositions)
    {
        var rows = new List<int>(segments.Count);
        for (int s = 0, end = 0; s < segments.Count; s++)
        {
            int start = end;
            end += segments[s].Tokens.Length;
            for (int r = allPositions ? start : end - 1; r < end; r++)
            {
                rows.Add(r);
            }
        }

        return [.. rows];
    }

    // Each kernel thread's list of attention runs, reused row after row.
    [ThreadStatic]
    private static List<KvRun>? t_runs;

    private int Validate(IReadOnlyList<Segment> segments)
    {
        if (segments.Count == 0)
        {
            throw new ArgumentException("no segments to run", nameof(segments));
        }

        var seen = new HashSet<KvNode>(ReferenceEqualityComparer.Instance);
        int total = 0;
        foreach (Segment s in segments)
        {
            if (s.Tokens.Length == 0)
            {
                throw new ArgumentException("a segment has no tokens", nameof(segments));
            }

            if (s.Node.IsFrozen)
            {
                throw new InvalidOperationException("cannot append to a node that has branches; branch it instead");
            }

            if (s.Node.Cache.Layers != Config.Layers || s.Node.Cache.KvDim != Config.KvDim)
            {
                throw new ArgumentException("the node belongs to a cache of another model", nameof(segments));
            }

            if (!seen.Add(s.Node))
            {
                throw new ArgumentException("two segments append to the same node", nameof(segments));
            }

            int end = s.Node.EndPosition + s.Tokens.Length;
            if (end > Config.MaxPositions)
            {
                throw new ArgumentException($"sequence of {end} positions exceeds max_position_embeddings "
                    + $"{Config.MaxPositions}", nameof(segments));
            }

            if (Config.SlidingWindow is int window && end > window)
            {
                throw new ArgumentException($"sequence of {end} positions exceeds the sliding window {window}, which "
                    + $"this engine does not implement", nameof(segments));
            }

            foreach (int t in s.Tokens)
            {
                if ((uint)t >= (uint)Config.VocabSize)
                {
                    throw new ArgumentOutOfRangeException(nameof(segments), t,
                        $"token id {t} is outside the vocabulary of {Config.VocabSize}");
                }
            }

            total += s.Tokens.Length;
        }

        return total;
    }

    private static void Add(Span<float> x, ReadOnlySpan<float> delta) =>
        System.Numerics.Tensors.TensorPrimitives.Add(x, delta, x);

    private volatile bool _disposed;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _gpu?.Dispose();
        _accelerator?.Dispose();
        Weights.Dispose();
    }
}
