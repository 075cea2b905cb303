using System.Buffers;
using PaDeLLM.Model.Checkpoints;
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

    public DecoderModel(DecoderWeights weights)
    {
        Weights = weights;
        Config = weights.Config;
        _rope = new Rope(Config.HeadDim, Config.RopeTheta);
    }

    public DecoderWeights Weights { get; }

    public ModelConfig Config { get; }

    public static DecoderModel Load(string directory) => new(DecoderWeights.Load(directory));

    public KvCache NewCache() => new(Config.Layers);

    /// <summary>
    /// Runs the segments through the decoder, appending their K/V to their nodes, and returns
    /// logits [rows, vocab]: for the last token of each segment, or for every token when
    /// <paramref name="allPositions"/> (rows in segment order).
    /// </summary>
    public float[] Forward(IReadOnlyList<Segment> segments, bool allPositions = false)
    {
        // The weights may be memory-mapped: reading them after Dispose would be an access violation.
        ObjectDisposedException.ThrowIf(_disposed, this);
        ModelConfig c = Config;
        int total = Validate(segments);
        int h = c.HiddenSize, qd = c.QDim, kvd = c.KvDim, ff = c.IntermediateSize;

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

            segments[s].Node.Reserve(segments[s].Tokens.Length, kvd);
        }

        float[] x = new float[total * h];
        float[] norm = new float[total * h];
        float[] q = new float[total * qd];
        float[] k = new float[total * kvd];
        float[] v = new float[total * kvd];
        float[] attn = new float[total * qd];
        float[] gate = new float[total * ff];
        float[] up = new float[total * ff];
        float[] delta = new float[total * h];

        Embedding.Forward(x, Weights.Embedding, tokens);
        var paths = segments.Select(s => s.Node.Path()).ToArray();

        for (int l = 0; l < c.Layers; l++)
        {
            LayerWeights w = Weights.Layers[l];

            // Attention block: x += O · attend(rope(Q·norm(x)), rope(K·norm(x)), V·norm(x)).
            RmsNorm.Forward(norm, x, w.AttentionNorm, total, c.RmsNormEps);
            fixed (float* pn = norm, pq = q, pk = k, pv = v, bq = w.QBias, bk = w.KBias, bv = w.VBias)
            {
                MatMul.ForwardShared(pn, total, [new((nint)pq, w.Q, (nint)bq), new((nint)pk, w.K, (nint)bk), new((nint)pv, w.V, (nint)bv)]);
            }

            for (int r = 0; r < total; r++)
            {
                int pos = segments[rowSegment[r]].Node.EndPosition + rowIndex[r];
                _rope.Apply(q.AsSpan(r * qd, qd), c.Heads, pos);
                _rope.Apply(k.AsSpan(r * kvd, kvd), c.KvHeads, pos);
                KvNode node = segments[rowSegment[r]].Node;
                int slot = (node.Length + rowIndex[r]) * kvd;
                k.AsSpan(r * kvd, kvd).CopyTo(node.Keys[l].AsSpan(slot));
                v.AsSpan(r * kvd, kvd).CopyTo(node.Values[l].AsSpan(slot));
            }

            int layer = l;
            KernelPool.For(total, r => AttendRow(layer, r, segments[rowSegment[r]].Node, paths[rowSegment[r]], rowIndex[r], q, attn));

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

        // Final norm and the vocabulary projection, only for the rows asked for.
        int[] rows;
        if (allPositions)
        {
            rows = Enumerable.Range(0, total).ToArray();
        }
        else
        {
            rows = new int[segments.Count];
            for (int s = 0, end = 0; s < segments.Count; s++)
            {
                end += segments[s].Tokens.Length;
                rows[s] = end - 1;
            }
        }
        float[] selected = new float[rows.Length * h];
        for (int i = 0; i < rows.Length; i++)
        {
            x.AsSpan(rows[i] * h, h).CopyTo(selected.AsSpan(i * h));
        }

        RmsNorm.Forward(selected, selected, Weights.FinalNorm, rows.Length, c.RmsNormEps);
        float[] logits = new float[rows.Length * c.VocabSize];
        MatMul.Forward(logits, selected, Weights.LmHead, default, rows.Length);
        return logits;
    }

    private void AttendRow(int layer, int row, KvNode node, List<KvNode> path, int index, float[] q, float[] attn)
    {
        ModelConfig c = Config;
        var runs = new KvRun[path.Count];
        int visible = 0;
        for (int i = 0; i < path.Count; i++)
        {
            KvNode n = path[i];
            runs[i] = new KvRun(n.Keys[layer], n.Values[layer], n.Length);
            visible += n.Length;
        }

        int ownVisible = node.Length + index + 1; // causal: up to and including this token
        visible += ownVisible - node.Length;
        float[] scores = ArrayPool<float>.Shared.Rent(visible);
        try
        {
            Attention.Forward(attn.AsSpan(row * c.QDim, c.QDim), q.AsSpan(row * c.QDim, c.QDim), runs, ownVisible, c.Heads, c.KvHeads, c.HeadDim, scores);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

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

            if (s.Node.Cache.Layers != Config.Layers)
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
                throw new ArgumentException($"sequence of {end} positions exceeds max_position_embeddings {Config.MaxPositions}", nameof(segments));
            }

            if (Config.SlidingWindow is int window && end > window)
            {
                throw new ArgumentException($"sequence of {end} positions exceeds the sliding window {window}, which this engine does not implement", nameof(segments));
            }

            foreach (int t in s.Tokens)
            {
                if ((uint)t >= (uint)Config.VocabSize)
                {
                    throw new ArgumentOutOfRangeException(nameof(segments), t, $"token id {t} is outside the vocabulary of {Config.VocabSize}");
                }
            }

            total += s.Tokens.Length;
        }

        return total;
    }

    private static void Add(float[] x, float[] delta) => System.Numerics.Tensors.TensorPrimitives.Add(x, delta, x);

    private volatile bool _disposed;

    public void Dispose()
    {
        _disposed = true;
        Weights.Dispose();
    }
}
