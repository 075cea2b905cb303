using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Model.Decoder;

/// <summary>
/// All parameters of a Llama/Qwen2/Mistral decoder. Matrices point into the memory-mapped
/// checkpoint (BF16 stays BF16), or into native buffers for a randomly initialised model.
/// </summary>
public sealed unsafe class DecoderWeights : IDisposable
{
    private readonly Checkpoint? _checkpoint;
    private readonly List<NativeBuffer> _buffers;

    private DecoderWeights(ModelConfig config, Checkpoint? checkpoint, List<NativeBuffer> buffers)
    {
        Config = config;
        _checkpoint = checkpoint;
        _buffers = buffers;
    }

    public ModelConfig Config { get; }

    public Weight Embedding { get; private init; }

    public Weight LmHead { get; private init; }

    public float[] FinalNorm { get; private init; } = [];

    public IReadOnlyList<LayerWeights> Layers { get; private init; } = [];

    /// <summary>Bytes of matrix weights (what one decode step must stream from memory).</summary>
    public long MatrixBytes =>
        Layers.Sum(l => l.Q.Bytes + l.K.Bytes + l.V.Bytes + l.O.Bytes + l.Gate.Bytes + l.Up.Bytes + l.Down.Bytes)
        + LmHead.Bytes;

    public long ParameterCount
    {
        get
        {
            ModelConfig c = Config;
            long perLayer = ((long)c.HiddenSize * (c.QDim + (2 * c.KvDim))) + ((long)c.QDim * c.HiddenSize)
                + (3L * c.HiddenSize * c.IntermediateSize) + (2L * c.HiddenSize);
            if (c.AttentionBias)
            {
                perLayer += c.QDim + (2 * c.KvDim);
            }

            long embed = (long)c.VocabSize * c.HiddenSize;
            return (perLayer * c.Layers) + embed + (c.TieWordEmbeddings ? 0 : embed) + c.HiddenSize;
        }
    }

    public static DecoderWeights Load(string directory)
    {
        ModelConfig config = ModelConfig.Load(directory);
        Checkpoint checkpoint = Checkpoint.Open(directory);
        try
        {
            return FromCheckpoint(config, checkpoint);
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
    }

    public static DecoderWeights FromCheckpoint(ModelConfig c, Checkpoint ck)
    {
        var layers = new LayerWeights[c.Layers];
        for (int i = 0; i < c.Layers; i++)
        {
            string p = $"model.layers.{i}.";
            layers[i] = new LayerWeights
            {
                AttentionNorm = ck.Vector(p + "input_layernorm.weight", c.HiddenSize),
                Q = ck.Matrix(p + "self_attn.q_proj.weight", c.QDim, c.HiddenSize),
                K = ck.Matrix(p + "self_attn.k_proj.weight", c.KvDim, c.HiddenSize),
                V = ck.Matrix(p + "self_attn.v_proj.weight", c.KvDim, c.HiddenSize),
                O = ck.Matrix(p + "self_attn.o_proj.weight", c.HiddenSize, c.QDim),
                QBias = c.AttentionBias ? ck.Vector(p + "self_attn.q_proj.bias", c.QDim) : null,
                KBias = c.AttentionBias ? ck.Vector(p + "self_attn.k_proj.bias", c.KvDim) : null,
                VBias = c.AttentionBias ? ck.Vector(p + "self_attn.v_proj.bias", c.KvDim) : null,
                MlpNorm = ck.Vector(p + "post_attention_layernorm.weight", c.HiddenSize),
                Gate = ck.Matrix(p + "mlp.gate_proj.weight", c.IntermediateSize, c.HiddenSize),
                Up = ck.Matrix(p + "mlp.up_proj.weight", c.IntermediateSize, c.HiddenSize),
                Down = ck.Matrix(p + "mlp.down_proj.weight", c.HiddenSize, c.IntermediateSize),
            };
        }

        Weight embed = ck.Matrix("model.embed_tokens.weight", c.VocabSize, c.HiddenSize);
        Weight head = c.TieWordEmbeddings || !ck.Contains("lm_head.weight")
            ? (c.TieWordEmbeddings ? embed
                : throw new CheckpointException("checkpoint has no tensor 'lm_head.weight' and "
                + "tie_word_embeddings is false"))
            : ck.Matrix("lm_head.weight", c.VocabSize, c.HiddenSize);
        return new DecoderWeights(c, ck, [])
        {
            Embedding = embed,
            LmHead = head,
            FinalNorm = ck.Vector("model.norm.weight", c.HiddenSize),
            Layers = layers,
        };
    }

    /// <summary>
    /// A randomly initialised model (benchmarks, tests): N(0, 0.02)-like uniform weights, unit norms.
    /// </summary>
    public static DecoderWeights Random(ModelConfig c, DType type, int seed)
    {
        var rng = new System.Random(seed);
        var buffers = new List<NativeBuffer>();

        Weight Matrix(int rows, int cols)
        {
            var buffer = new NativeBuffer((long)rows * cols * type.Size());
            buffers.Add(buffer);
            float scale = 0.02f * MathF.Sqrt(3);
            long n = (long)rows * cols;
            for (long i = 0; i < n; i++)
            {
                float v = ((float)rng.NextDouble() * 2 - 1) * scale;
                if (type == DType.F32)
                {
                    ((float*)buffer.Pointer)[i] = v;
                }
                else
                {
                    ((ushort*)buffer.Pointer)[i] = BFloat16.FromSingle(v);
                }
            }

            return new Weight(buffer.Pointer, type, rows, cols);
        }

        float[] Ones(int n) => Enumerable.Repeat(1f, n).ToArray();
        float[]? Bias(int n) => c.AttentionBias
            ? Enumerable.Range(0, n).Select(_ => ((float)rng.NextDouble() - 0.5f) * 0.02f).ToArray() : null;

        var layers = new LayerWeights[c.Layers];
        for (int i = 0; i < c.Layers; i++)
        {
            layers[i] = new LayerWeights
            {
                AttentionNorm = Ones(c.HiddenSize),
                Q = Matrix(c.QDim, c.HiddenSize),
                K = Matrix(c.KvDim, c.HiddenSize),
                V = Matrix(c.KvDim, c.HiddenSize),
                O = Matrix(c.HiddenSize, c.QDim),
                QBias = Bias(c.QDim),
                KBias = Bias(c.KvDim),
                VBias = Bias(c.KvDim),
                MlpNorm = Ones(c.HiddenSize),
                Gate = Matrix(c.IntermediateSize, c.HiddenSize),
                Up = Matrix(c.IntermediateSize, c.HiddenSize),
                Down = Matrix(c.HiddenSize, c.IntermediateSize),
            };
        }

        Weight embed = Matrix(c.VocabSize, c.HiddenSize);
        return new DecoderWeights(c, null, buffers)
        {
            Embedding = embed,
            LmHead = c.TieWordEmbeddings ? embed : Matrix(c.VocabSize, c.HiddenSize),
            FinalNorm = Ones(c.HiddenSize),
            Layers = layers,
        };
    }

    public void Dispose()
    {
        _checkpoint?.Dispose();
        foreach (NativeBuffer b in _buffers)
        {
            b.Dispose();
        }
    }
}
