using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Decoder;

namespace PaDeLLM.Model.Gpu;

/// <summary>
/// The decoder's forward pass over segments on an ILGPU accelerator: the same contract as the CPU
/// engine (<see cref="DecoderModel.Forward(IReadOnlyList{Segment}, Span{float}, bool)"/>), the same
/// prefix tree, its K/V in device blocks. Weights are uploaded once; activations live in buffers
/// that grow to the largest batch seen; per call only token ids, positions and the attention's
/// slot lists go up, and the logits asked for come down.
/// </summary>
public sealed class GpuDecoder : IDisposable
{
    private readonly ModelConfig _c;
    private readonly GpuAccelerator _device;
    private readonly DeviceMatrix _embedding, _lmHead;
    private readonly DeviceLayer[] _layers;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _finalNorm, _cos, _sin, _none;
    private readonly Dictionary<string, MemoryBuffer1D<float, Stride1D.Dense>> _floats = [];
    private readonly Dictionary<string, MemoryBuffer1D<int, Stride1D.Dense>> _ints = [];
    private readonly object _gate = new();

    public GpuDecoder(DecoderWeights weights, GpuAccelerator device, long kvPoolBytes)
    {
        _c = weights.Config;
        _device = device;
        Accelerator a = device.Accelerator;
        Kernels = new GpuKernels(device);
        _embedding = new DeviceMatrix(a, weights.Embedding);
        unsafe
        {
            _lmHead = weights.LmHead.Data == weights.Embedding.Data ? _embedding : new DeviceMatrix(a, weights.LmHead);
        }

        _layers = weights.Layers.Select(l => new DeviceLayer(a, l)).ToArray();
        _finalNorm = DeviceMatrix.Vector(a, weights.FinalNorm);
        _none = DeviceMatrix.Vector(a, []); // the bias of a product that has none

        // The rotary table with the CPU engine's own F32 arithmetic (Rope.Apply), every position once.
        float[] inverse = PaDeLLM.Model.Kernels.Rope.InverseFrequencies(_c.HeadDim, _c.RopeTheta);
        int half = _c.HeadDim / 2;
        var cos = new float[_c.MaxPositions * half];
        var sin = new float[_c.MaxPositions * half];
        for (int p = 0; p < _c.MaxPositions; p++)
        {
            for (int i = 0; i < half; i++)
            {
                float angle = p * inverse[i];
                cos[(p * half) + i] = MathF.Cos(angle);
                sin[(p * half) + i] = MathF.Sin(angle);
            }
        }

        _cos = DeviceMatrix.Vector(a, cos);
        _sin = DeviceMatrix.Vector(a, sin);
        Pool = new KvBlockPool(a, _c.Layers, _c.KvDim, kvPoolBytes);
    }

    public GpuKernels Kernels { get; }

    public KvBlockPool Pool { get; }

    public GpuAccelerator Device => _device;

    /// <summary>Runs the segments (validated by the caller); see <see cref="DecoderModel"/>.</summary>
    public void Forward(IReadOnlyList<Segment> segments, int total, Span<float> logits, bool allPositions)
    {
        lock (_gate)
        {
            Run(segments, total, logits, allPositions, [], []);
        }
    }

    /// <summary>
    /// A forward pass whose next tokens are chosen on the device (greedy, with their log-probabilities):
    /// two numbers per segment come back instead of a row of logits.
    /// </summary>
    public void ForwardGreedy(IReadOnlyList<Segment> segments, int total, Span<int> tokens, Span<float> logProbs)
    {
        lock (_gate)
        {
            Run(segments, total, [], false, tokens, logProbs);
        }
    }

    private void Run(IReadOnlyList<Segment> segments, int total, Span<float> logits, bool allPositions,
        Span<int> greedyTokens, Span<float> greedyLogProbs)
    {
        ModelConfig c = _c;
        int h = c.HiddenSize, qd = c.QDim, kvd = c.KvDim, ff = c.IntermediateSize;

        // Host side: each row's token, position and slot; each segment's slot list (ancestors', then
        // its own node's), which each of its rows reads a prefix of.
        var tokens = new int[total];
        var positions = new int[total];
        var rowSlots = new int[total];
        var slotStart = new int[total];
        var slotCount = new int[total];
        var slots = new List<int>();
        int maxVisible = 0;
        for (int s = 0, r = 0; s < segments.Count; s++)
        {
            Segment seg = segments[s];
            KvNode node = seg.Node;
            NodeBlocks own = node.DeviceBlocks ??= new NodeBlocks(Pool);
            own.Reserve(node.Length + seg.Tokens.Length);
            int first = slots.Count;
            List<KvNode> path = node.Path();
            for (int i = 0; i < path.Count - 1; i++)
            {
                AddSlots(slots, path[i], path[i].Length);
            }

            int prefix = slots.Count - first;
            AddSlots(slots, node, node.Length + seg.Tokens.Length);
            for (int i = 0; i < seg.Tokens.Length; i++, r++)
            {
                tokens[r] = seg.Tokens[i];
                positions[r] = node.EndPosition + i;
                rowSlots[r] = own.Slot(node.Length + i);
                slotStart[r] = first;
                // Causal: up to and including this token; bidirectional: the whole segment.
                slotCount[r] = prefix + node.Length + (seg.Bidirectional ? seg.Tokens.Length : i + 1);
                maxVisible = Math.Max(maxVisible, slotCount[r]);
            }
        }

        GpuKernels k = Kernels;
        ArrayView<int> dTokens = Upload("tokens", tokens), dPositions = Upload("positions", positions);
        ArrayView<int> dRowSlots = Upload("rowSlots", rowSlots), dStart = Upload("slotStart", slotStart);
        ArrayView<int> dCount = Upload("slotCount", slotCount);
        ArrayView<int> dSlots = Upload("slots", CollectionsMarshal.AsSpan(slots));
        ArrayView<float> x = Floats("x", (long)total * h), norm = Floats("norm", (long)total * h);
        ArrayView<float> delta = Floats("delta", (long)total * h), q = Floats("q", (long)total * qd);
        ArrayView<float> attn = Floats("attn", (long)total * qd), kk = Floats("k", (long)total * kvd);
        ArrayView<float> v = Floats("v", (long)total * kvd), gate = Floats("gate", (long)total * ff);
        ArrayView<float> up = Floats("up", (long)total * ff);
        ArrayView<float> scores = Floats("scores", (long)total * c.Heads * maxVisible);

        k.Embedding(_embedding, dTokens, x, total);
        for (int l = 0; l < c.Layers; l++)
        {
            DeviceLayer w = _layers[l];

            // Attention block: x += O · attend(rope(Q·norm(x)), rope(K·norm(x)), V·norm(x)).
            k.RmsNorm(x, w.AttentionNorm.View, norm, total, h, c.RmsNormEps);
            k.MatMul(norm, w.Q, w.QBias.View, w.HasBias, q, total);
            k.MatMul(norm, w.K, w.KBias.View, w.HasBias, kk, total);
            k.MatMul(norm, w.V, w.VBias.View, w.HasBias, v, total);
            k.Rope(q, dPositions, _cos.View, _sin.View, total, c.Heads, c.HeadDim);
            k.Rope(kk, dPositions, _cos.View, _sin.View, total, c.KvHeads, c.HeadDim);
            k.StoreKv(kk, v, dRowSlots, Pool, l, total);
            k.Attention(q, Pool, l, dSlots, dStart, dCount, scores, maxVisible, attn, total, c.Heads, c.KvHeads,
                c.HeadDim);
            k.MatMul(attn, w.O, _none.View, false, delta, total);
            k.Add(x, delta, (long)total * h);

            // MLP block: x += Down · (silu(Gate · norm(x)) ⊙ Up · norm(x)).
            k.RmsNorm(x, w.MlpNorm.View, norm, total, h, c.RmsNormEps);
            k.MatMul(norm, w.Gate, _none.View, false, gate, total);
            k.MatMul(norm, w.Up, _none.View, false, up, total);
            k.SwiGlu(gate, up, (long)total * ff);
            k.MatMul(gate, w.Down, _none.View, false, delta, total);
            k.Add(x, delta, (long)total * h);
        }

        if (logits.IsEmpty && greedyTokens.IsEmpty)
        {
            _device.Accelerator.Synchronize();
        }
        else
        {
            // The final norm and the vocabulary projection, only for the rows asked for.
            int[] selected = DecoderModel.LogitRows(segments, allPositions);
            int count = selected.Length;
            ArrayView<float> rows = Floats("selected", (long)count * h);
            ArrayView<float> output = Floats("logits", (long)count * c.VocabSize);
            k.Gather(x, Upload("selectedRows", selected), rows, count, h);
            k.RmsNorm(rows, _finalNorm.View, rows, count, h, c.RmsNormEps);
            k.MatMul(rows, _lmHead, _none.View, false, output, count);
            if (greedyTokens.IsEmpty)
            {
                _device.Accelerator.Synchronize();
                long n = (long)count * c.VocabSize;
                output.SubView(0, n).CopyToCPU(ref MemoryMarshal.GetReference(logits), n);
            }
            else
            {
                ArrayView<int> chosen = Buffer(_ints, "greedyTokens", count);
                ArrayView<float> logProbs = Floats("greedyLogProbs", count);
                k.Argmax(output, chosen, logProbs, count, c.VocabSize);
                _device.Accelerator.Synchronize();
                chosen.SubView(0, count).CopyToCPU(ref MemoryMarshal.GetReference(greedyTokens), count);
                logProbs.SubView(0, count).CopyToCPU(ref MemoryMarshal.GetReference(greedyLogProbs), count);
            }
        }

        foreach (Segment s in segments)
        {
            s.Node.Commit(s.Tokens);
        }
    }

    private static void AddSlots(List<int> slots, KvNode node, int positions)
    {
        if (positions == 0)
        {
            return;
        }

        NodeBlocks blocks = node.DeviceBlocks ?? throw new InvalidOperationException(
            "a prefix-tree node's K/V is not on this device: the tree was grown by another backend");
        for (int p = 0; p < positions; p++)
        {
            slots.Add(blocks.Slot(p));
        }
    }

    private ArrayView<float> Floats(string name, long length) => Buffer(_floats, name, length);

    private ArrayView<int> Upload(string name, ReadOnlySpan<int> values)
    {
        ArrayView<int> view = Buffer(_ints, name, values.Length);
        if (!values.IsEmpty)
        {
            view.SubView(0, values.Length).CopyFromCPU(ref MemoryMarshal.GetReference(values), values.Length);
        }

        return view;
    }

    // Grow-only device buffers, by name: a decode loop reuses them step after step.
    private ArrayView<T> Buffer<T>(
        Dictionary<string, MemoryBuffer1D<T, Stride1D.Dense>> buffers, string name, long length)
        where T : unmanaged
    {
        length = Math.Max(1, length);
        if (!buffers.TryGetValue(name, out MemoryBuffer1D<T, Stride1D.Dense>? buffer) || buffer.Length < length)
        {
            buffer?.Dispose();
            buffer = _device.Accelerator.Allocate1D<T>(Math.Max(length, (buffer?.Length ?? 0) * 2));
            buffers[name] = buffer;
        }

        return buffer.View.SubView(0, length);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (IDisposable d in _floats.Values.Cast<IDisposable>().Concat(_ints.Values))
            {
                d.Dispose();
            }

            foreach (DeviceLayer l in _layers)
            {
                l.Dispose();
            }

            if (!ReferenceEquals(_lmHead, _embedding))
            {
                _lmHead.Dispose();
            }

            _embedding.Dispose();
            _finalNorm.Dispose();
            _cos.Dispose();
            _sin.Dispose();
            _none.Dispose();
            Pool.Dispose();
        }
    }

    /// <summary>One transformer block's parameters on the device.</summary>
    private sealed class DeviceLayer : IDisposable
    {
        public DeviceLayer(Accelerator a, LayerWeights w)
        {
            AttentionNorm = DeviceMatrix.Vector(a, w.AttentionNorm);
            MlpNorm = DeviceMatrix.Vector(a, w.MlpNorm);
            Q = new DeviceMatrix(a, w.Q);
            K = new DeviceMatrix(a, w.K);
            V = new DeviceMatrix(a, w.V);
            O = new DeviceMatrix(a, w.O);
            Gate = new DeviceMatrix(a, w.Gate);
            Up = new DeviceMatrix(a, w.Up);
            Down = new DeviceMatrix(a, w.Down);
            HasBias = w.QBias is not null;
            QBias = DeviceMatrix.Vector(a, w.QBias ?? []);
            KBias = DeviceMatrix.Vector(a, w.KBias ?? []);
            VBias = DeviceMatrix.Vector(a, w.VBias ?? []);
        }

        public MemoryBuffer1D<float, Stride1D.Dense> AttentionNorm { get; }

        public MemoryBuffer1D<float, Stride1D.Dense> MlpNorm { get; }

        public MemoryBuffer1D<float, Stride1D.Dense> QBias { get; }

        public MemoryBuffer1D<float, Stride1D.Dense> KBias { get; }

        public MemoryBuffer1D<float, Stride1D.Dense> VBias { get; }

        public bool HasBias { get; }

        public DeviceMatrix Q { get; }

        public DeviceMatrix K { get; }

        public DeviceMatrix V { get; }

        public DeviceMatrix O { get; }

        public DeviceMatrix Gate { get; }

        public DeviceMatrix Up { get; }

        public DeviceMatrix Down { get; }

        public void Dispose()
        {
            IDisposable[] all = [AttentionNorm, MlpNorm, QBias, KBias, VBias, Q, K, V, O, Gate, Up, Down];
            foreach (IDisposable d in all)
            {
                d.Dispose();
            }
        }
    }
}
