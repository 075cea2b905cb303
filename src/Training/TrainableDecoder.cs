using System.Numerics.Tensors;
using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Numerics;
using PaDeLLM.Training.Layers;

namespace PaDeLLM.Training;

/// <summary>
/// The Llama/Qwen2 decoder with F32 master weights, a forward pass that keeps what backward
/// needs, and backward into per-parameter gradients (HF tensor names). Loss: mean next-token
/// cross-entropy over every masked position of the batch.
/// </summary>
public sealed class TrainableDecoder
{
    private readonly RopeLayer _rope;

    // Step-to-step buffers: each layer's activations while the batch's row lengths stay the same, and
    // scratch by name, reused while its length does (a trainer's batches of one shape allocate nothing).
    private readonly Dictionary<string, float[]> _scratch = new(StringComparer.Ordinal);
    private LayerCache[] _caches = [];
    private int[] _cacheShape = [];

    public TrainableDecoder(ModelConfig config, Dictionary<string, float[]> parameters,
        Dictionary<string, long[]> shapes)
    {
        Config = config;
        Parameters = parameters;
        Shapes = shapes;
        Gradients = parameters.ToDictionary(p => p.Key, p => new float[p.Value.Length]);
        _rope = new RopeLayer(config.HeadDim, config.RopeTheta);
    }

    public ModelConfig Config { get; }

    public Dictionary<string, float[]> Parameters { get; }

    public Dictionary<string, long[]> Shapes { get; }

    public Dictionary<string, float[]> Gradients { get; }

    /// <summary>
    /// Residual dropout: the probability of zeroing each output of an attention block's and an MLP
    /// block's projection before it joins the residual stream (0: off, as at inference).
    /// </summary>
    public float Dropout { get; set; }

    private string HeadName => Config.TieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight";

    /// <summary>
    /// A freshly initialised decoder: N(0, 0.02) matrices and embeddings (depth-scaled output projections), unit norms,
    /// zero biases.
    /// </summary>
    public static TrainableDecoder Random(ModelConfig c, int seed)
    {
        var rng = new System.Random(seed);
        var parameters = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        void Add(string name, long[] shape, Func<float> init)
        {
            shapes[name] = shape;
            parameters[name] = Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b))
                .Select(_ => init()).ToArray();
        }

        float Normal(double std) =>
            (float)(std * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        double residual = 0.02 / Math.Sqrt(2 * c.Layers);
        Add("model.embed_tokens.weight", [c.VocabSize, c.HiddenSize], () => Normal(0.02));
        for (int l = 0; l < c.Layers; l++)
        {
            string p = $"model.layers.{l}.";
            Add(p + "input_layernorm.weight", [c.HiddenSize], () => 1f);
            Add(p + "post_attention_layernorm.weight", [c.HiddenSize], () => 1f);
            Add(p + "self_attn.q_proj.weight", [c.QDim, c.HiddenSize], () => Normal(0.02));
            Add(p + "self_attn.k_proj.weight", [c.KvDim, c.HiddenSize], () => Normal(0.02));
            Add(p + "self_attn.v_proj.weight", [c.KvDim, c.HiddenSize], () => Normal(0.02));
            Add(p + "self_attn.o_proj.weight", [c.HiddenSize, c.QDim], () => Normal(residual));
            if (c.AttentionBias)
            {
                Add(p + "self_attn.q_proj.bias", [c.QDim], () => 0f);
                Add(p + "self_attn.k_proj.bias", [c.KvDim], () => 0f);
                Add(p + "self_attn.v_proj.bias", [c.KvDim], () => 0f);
            }

            Add(p + "mlp.gate_proj.weight", [c.IntermediateSize, c.HiddenSize], () => Normal(0.02));
            Add(p + "mlp.up_proj.weight", [c.IntermediateSize, c.HiddenSize], () => Normal(0.02));
            Add(p + "mlp.down_proj.weight", [c.HiddenSize, c.IntermediateSize], () => Normal(residual));
        }

        Add("model.norm.weight", [c.HiddenSize], () => 1f);
        if (!c.TieWordEmbeddings)
        {
            Add("lm_head.weight", [c.VocabSize, c.HiddenSize], () => Normal(0.02));
        }

        return new TrainableDecoder(c, parameters, shapes);
    }

    public static TrainableDecoder Load(string directory)
    {
        ModelConfig config = ModelConfig.Load(directory);
        using Checkpoint checkpoint = Checkpoint.Open(directory);
        var parameters = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (string name in checkpoint.Names)
        {
            parameters[name] = checkpoint.ReadSingle(name); // BF16 widens exactly: F32 master weights
            shapes[name] = checkpoint.Info(name).Shape;
        }

        return new TrainableDecoder(config, parameters, shapes);
    }

    /// <summary>
    /// Writes an HF-layout checkpoint (config.json + model.safetensors) that the inference engine
    /// loads; <paramref name="type"/> F32 or BF16 (round to nearest even).
    /// </summary>
    public void Save(string directory, DType type, string configJson) =>
        Save(directory, type, configJson, "model.safetensors", null);

    /// <param name="weightsFile">The weights' file name in <paramref name="directory"/>.</param>
    /// <param name="metadata">Extra safetensors metadata (a checkpoint's step).</param>
    public void Save(
        string directory, DType type, string configJson, string weightsFile,
        IReadOnlyDictionary<string, string>? metadata)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), configJson);
        var writer = new SafetensorsWriter().AddMetadata("format", "pt");
        foreach ((string key, string value) in metadata ?? new Dictionary<string, string>())
        {
            writer.AddMetadata(key, value);
        }

        foreach ((string name, float[] values) in Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (type == DType.BF16)
            {
                writer.AddBFloat16(name, Shapes[name], values);
            }
            else
            {
                writer.AddSingle(name, Shapes[name], values);
            }
        }

        writer.Save(Path.Combine(directory, weightsFile));
    }

    public void ZeroGradients()
    {
        foreach (float[] g in Gradients.Values)
        {
            Array.Clear(g);
        }
    }

    /// <summary>
    /// Forward and backward over the batch; gradients are added to <see cref="Gradients"/>.
    /// Returns the mean loss over the batch's weighted targets. With <see cref="Dropout"/> on, the
    /// masks come from <paramref name="dropoutSeed"/>: the same seed, the same masks.
    /// </summary>
    public double ForwardBackward(IReadOnlyList<TrainingSequence> batch, ulong dropoutSeed = 0)
    {
        double total = batch.Sum(s => s.TotalWeight);
        if (total <= 0)
        {
            throw new ArgumentException("the batch has no target in its loss", nameof(batch));
        }

        return Run(batch, (float)(1 / total), Dropout > 0 ? new SplitMix64(dropoutSeed) : null) / total;
    }

    private float[] P(string name) => Parameters[name];

    private float[] G(string name) => Gradients[name];

    // The whole batch runs as one [N, ·] tensor (N = the rows' summed length): every projection is
    // one GEMM over all N rows, so the weight-gradient products get K = N instead of one row's
    // length (a few dozen), where small-K GEMMs ran at a third of the kernel's speed. Only
    // attention is per row, each row seeing only itself through its own mask.
    private double Run(IReadOnlyList<TrainingSequence> batch, float scale, SplitMix64? dropout)
    {
        ModelConfig c = Config;
        int H = c.HiddenSize, QD = c.QDim, KVD = c.KvDim, F = c.IntermediateSize, V = c.VocabSize;
        int[] offsets = new int[batch.Count];
        int T = 0;
        for (int b = 0; b < batch.Count; b++)
        {
            offsets[b] = T;
            T += batch[b].Length;
        }

        int[] tokens = batch.SelectMany(s => s.Tokens).ToArray();
        int[] positions = batch.SelectMany(s => s.Positions).ToArray();
        float[] embed = P("model.embed_tokens.weight");

        // Forward, keeping each layer's activations.
        float[] x = Scratch("x", T * H, clear: false);
        for (int t = 0; t < T; t++)
        {
            Array.Copy(embed, tokens[t] * H, x, t * H, H);
        }

        int[] shape = batch.Select(s => s.Length).ToArray();
        if (!shape.AsSpan().SequenceEqual(_cacheShape) || _caches.Length != c.Layers)
        {
            _caches = new LayerCache[c.Layers];
            for (int l = 0; l < c.Layers; l++)
            {
                _caches[l] = new LayerCache(T, H, QD, KVD, F, shape.Select(n => c.Heads * n * n));
            }

            _cacheShape = shape;
        }

        LayerCache[] caches = _caches;
        for (int l = 0; l < c.Layers; l++)
        {
            string p = $"model.layers.{l}.";
            LayerCache a = caches[l];
            Array.Copy(x, a.X, x.Length);
            RmsNormLayer.Forward(a.N1, a.R1, x, P(p + "input_layernorm.weight"), T, H, c.RmsNormEps);
            Linear.Forward(a.Q, a.N1, P(p + "self_attn.q_proj.weight"), Bias(p + "self_attn.q_proj.bias"), T, H, QD);
            Linear.Forward(a.K, a.N1, P(p + "self_attn.k_proj.weight"), Bias(p + "self_attn.k_proj.bias"), T, H, KVD);
            Linear.Forward(a.V, a.N1, P(p + "self_attn.v_proj.weight"), Bias(p + "self_attn.v_proj.bias"), T, H, KVD);
            _rope.Forward(a.Q, T, c.Heads, positions);
            _rope.Forward(a.K, T, c.KvHeads, positions);
            for (int b = 0; b < batch.Count; b++)
            {
                AttentionLayer.Forward(a.Att, a.Probs[b], a.Q, a.K, a.V, batch[b].Visible, offsets[b], batch[b].Length,
                    c.Heads, c.KvHeads, c.HeadDim);
            }

            float[] o = Scratch("block", T * H, clear: false);
            Linear.Forward(o, a.Att, P(p + "self_attn.o_proj.weight"), null, T, QD, H);
            a.AttentionMask = dropout is null ? null : a.AttentionMask ?? new float[T * H];
            if (dropout is not null && a.AttentionMask is { } attentionMask)
            {
                DropoutLayer.Mask(attentionMask, Dropout, dropout);
                DropoutLayer.Forward(o, attentionMask);
            }

            TensorPrimitives.Add(x, o, x);
            Array.Copy(x, a.XMid, x.Length);
            RmsNormLayer.Forward(a.N2, a.R2, x, P(p + "post_attention_layernorm.weight"), T, H, c.RmsNormEps);
            Linear.Forward(a.Gate, a.N2, P(p + "mlp.gate_proj.weight"), null, T, H, F);
            Linear.Forward(a.Up, a.N2, P(p + "mlp.up_proj.weight"), null, T, H, F);
            SwiGluLayer.Forward(a.Act, a.Gate, a.Up);
            float[] d = Scratch("block", T * H, clear: false);
            Linear.Forward(d, a.Act, P(p + "mlp.down_proj.weight"), null, T, F, H);
            a.MlpMask = dropout is null ? null : a.MlpMask ?? new float[T * H];
            if (dropout is not null && a.MlpMask is { } mlpMask)
            {
                DropoutLayer.Mask(mlpMask, Dropout, dropout);
                DropoutLayer.Forward(d, mlpMask);
            }

            TensorPrimitives.Add(x, d, x);
        }

        float[] nf = Scratch("nf", T * H, clear: false), rf = Scratch("rf", T, clear: false);
        RmsNormLayer.Forward(nf, rf, x, P("model.norm.weight"), T, H, c.RmsNormEps);

        // The head and the loss only at rows that predict something (the loss starts at the
        // count token, so most of a row — the text and prompt — needs no logits).
        (int Target, float Weight)[][] allTargets = batch.SelectMany(s => s.Targets).ToArray();
        int[] scored = Enumerable.Range(0, T).Where(t => allTargets[t].Length > 0).ToArray();
        int M = scored.Length;
        float[] nfScored = Scratch("nfScored", M * H, clear: false);
        for (int i = 0; i < M; i++)
        {
            Array.Copy(nf, scored[i] * H, nfScored, i * H, H);
        }

        float[] logits = Scratch("logits", M * V, clear: false);
        Linear.Forward(logits, nfScored, P(HeadName), null, M, H, V);
        float[] dlogits = Scratch("dlogits", M * V, clear: false);
        double loss = CrossEntropyLayer.ForwardBackward(dlogits, logits,
            scored.Select(t => allTargets[t]).ToArray(), V, scale);

        // Backward.
        float[] dnfScored = Scratch("dnfScored", M * H, clear: true);
        Linear.Backward(dnfScored, G(HeadName), null, dlogits, nfScored, P(HeadName), M, H, V);
        float[] dnf = Scratch("dnf", T * H, clear: true);
        for (int i = 0; i < M; i++)
        {
            Array.Copy(dnfScored, i * H, dnf, scored[i] * H, H);
        }

        float[] dx = Scratch("dx", T * H, clear: true);
        RmsNormLayer.Backward(dx, G("model.norm.weight"), dnf, x, rf, P("model.norm.weight"), T, H);
        for (int l = c.Layers - 1; l >= 0; l--)
        {
            string p = $"model.layers.{l}.";
            LayerCache a = caches[l];

            // MLP block: x_out = x_mid + down(swiglu(gate(n2), up(n2))).
            float[] dact = Scratch("dact", T * F, clear: true), dn2 = Scratch("dn", T * H, clear: true);
            float[] dgate = Scratch("dgate", T * F, clear: false), dup = Scratch("dup", T * F, clear: false);
            float[] dd = Dropped(dx, a.MlpMask);
            Linear.Backward(
                dact, G(p + "mlp.down_proj.weight"), null, dd, a.Act, P(p + "mlp.down_proj.weight"), T, F, H);
            SwiGluLayer.Backward(dgate, dup, dact, a.Gate, a.Up);
            Linear.Backward(dn2, G(p + "mlp.gate_proj.weight"), null, dgate, a.N2,
                P(p + "mlp.gate_proj.weight"), T, H, F);
            Linear.Backward(dn2, G(p + "mlp.up_proj.weight"), null, dup, a.N2, P(p + "mlp.up_proj.weight"), T, H, F);
            RmsNormLayer.Backward(dx, G(p + "post_attention_layernorm.weight"), dn2, a.XMid, a.R2,
                P(p + "post_attention_layernorm.weight"), T, H);

            // Attention block: x_mid = x + o_proj(attend(rope(q), rope(k), v)).
            float[] datt = Scratch("datt", T * QD, clear: true), dq = Scratch("dq", T * QD, clear: true);
            float[] dk = Scratch("dk", T * KVD, clear: true), dv = Scratch("dv", T * KVD, clear: true);
            float[] dn1 = Scratch("dn", T * H, clear: true);
            float[] dout = Dropped(dx, a.AttentionMask);
            Linear.Backward(
                datt, G(p + "self_attn.o_proj.weight"), null, dout, a.Att, P(p + "self_attn.o_proj.weight"), T, QD, H);
            for (int b = 0; b < batch.Count; b++)
            {
                AttentionLayer.Backward(dq, dk, dv, datt, a.Probs[b], a.Q, a.K, a.V, offsets[b], batch[b].Length,
                    c.Heads, c.KvHeads, c.HeadDim);
            }

            _rope.Backward(dq, T, c.Heads, positions);
            _rope.Backward(dk, T, c.KvHeads, positions);
            Linear.Backward(dn1, G(p + "self_attn.q_proj.weight"), BiasGrad(p + "self_attn.q_proj.bias"), dq, a.N1,
                P(p + "self_attn.q_proj.weight"), T, H, QD);
            Linear.Backward(dn1, G(p + "self_attn.k_proj.weight"), BiasGrad(p + "self_attn.k_proj.bias"), dk, a.N1,
                P(p + "self_attn.k_proj.weight"), T, H, KVD);
            Linear.Backward(dn1, G(p + "self_attn.v_proj.weight"), BiasGrad(p + "self_attn.v_proj.bias"), dv, a.N1,
                P(p + "self_attn.v_proj.weight"), T, H, KVD);
            RmsNormLayer.Backward(dx, G(p + "input_layernorm.weight"), dn1, a.X, a.R1,
                P(p + "input_layernorm.weight"), T, H);
        }

        float[] dembed = G("model.embed_tokens.weight");
        for (int t = 0; t < T; t++)
        {
            Span<float> row = dembed.AsSpan(tokens[t] * H, H);
            TensorPrimitives.Add(row, dx.AsSpan(t * H, H), row);
        }

        return loss;
    }

    private float[]? Bias(string name) => Parameters.TryGetValue(name, out float[]? b) ? b : null;

    private float[]? BiasGrad(string name) => Gradients.TryGetValue(name, out float[]? g) ? g : null;

    /// <summary>What one layer's backward pass reads from its forward pass.</summary>
    private sealed class LayerCache(int t, int h, int qd, int kvd, int f, IEnumerable<int> probsPerRow)
    {
        public float[] X { get; } = new float[t * h];

        public float[] N1 { get; } = new float[t * h];

        public float[] R1 { get; } = new float[t];

        public float[] Q { get; } = new float[t * qd];

        public float[] K { get; } = new float[t * kvd];

        public float[] V { get; } = new float[t * kvd];

        /// <summary>Each row's attention probabilities, [heads, length, length].</summary>
        public float[][] Probs { get; } = probsPerRow.Select(n => new float[n]).ToArray();

        public float[] Att { get; } = new float[t * qd];

        public float[] XMid { get; } = new float[t * h];

        public float[] N2 { get; } = new float[t * h];

        public float[] R2 { get; } = new float[t];

        public float[] Gate { get; } = new float[t * f];

        public float[] Up { get; } = new float[t * f];

        public float[] Act { get; } = new float[t * f];

        /// <summary>The dropout masks of the attention and MLP outputs (null without dropout).</summary>
        public float[]? AttentionMask { get; set; }

        public float[]? MlpMask { get; set; }
    }

    // An array of exactly n floats kept under its name from step to step; zeroed if asked (for
    // buffers that are added into), else left holding the last step's values to be overwritten.
    private float[] Scratch(string name, int n, bool clear)
    {
        if (!_scratch.TryGetValue(name, out float[]? b) || b.Length != n)
        {
            return _scratch[name] = new float[n];
        }

        if (clear)
        {
            Array.Clear(b);
        }

        return b;
    }

    // The gradient reaching a block's output through its dropout mask (itself without one).
    private float[] Dropped(float[] dy, float[]? mask)
    {
        if (mask is null)
        {
            return dy;
        }

        float[] d = Scratch("dropped", dy.Length, clear: false);
        DropoutLayer.Backward(d, dy, mask);
        return d;
    }
}
