using PaDeLLM.Model.Checkpoints;

namespace PaDeLLM.Training;

/// <summary>
/// A trained decoder grown into a wider and deeper one that computes the same function, so that a
/// larger model starts from what a smaller one learnt instead of from nothing (Net2Net, Chen et al.
/// 2016; block expansion as in LLaMA Pro, Wu et al. 2024). Widening appends heads of the same head
/// size, hidden dimensions and MLP units: new dimensions of the residual stream start at zero and
/// nothing writes to them yet (zero rows in o_proj, down_proj and the embeddings), new heads and
/// units write nothing (zero columns in o_proj and down_proj), and what reads the new dimensions
/// draws small random weights, so every new weight gets a gradient from the first step. RMSNorm's
/// mean over more dimensions is undone by scaling its weights and ε by the width ratio. Deepening
/// inserts, evenly among the old layers, copies of the layer before with zero output projections:
/// each starts as the identity.
/// </summary>
public static class ModelGrowth
{
    /// <summary>
    /// The wider, deeper decoder; <paramref name="seed"/> draws the weights that read new dimensions.
    /// </summary>
    public static TrainableDecoder Grow(
        TrainableDecoder source, int hidden, int heads, int intermediate, int layers, int seed)
    {
        ModelConfig c = source.Config;
        int kvHeads = c.KvHeads * heads / c.Heads;
        Check(hidden >= c.HiddenSize, $"hidden {hidden} is below the model's {c.HiddenSize}");
        Check(heads >= c.Heads, $"heads {heads} are fewer than the model's {c.Heads}");
        Check(intermediate >= c.IntermediateSize,
            $"intermediate {intermediate} is below the model's {c.IntermediateSize}");
        Check(layers >= c.Layers, $"layers {layers} are fewer than the model's {c.Layers}");
        Check(heads % (c.Heads / c.KvHeads) == 0,
            $"heads {heads} must be a multiple of the model's {c.Heads / c.KvHeads} query heads per key-value head");

        ModelConfig grown = c with
        {
            HiddenSize = hidden,
            Heads = heads,
            KvHeads = kvHeads,
            IntermediateSize = intermediate,
            Layers = layers,
            RmsNormEps = c.RmsNormEps * c.HiddenSize / hidden,
        };
        var rng = new Random(seed);
        float Normal() => (float)(0.02 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble()))
            * Math.Cos(2 * Math.PI * rng.NextDouble()));
        float normScale = (float)Math.Sqrt((double)c.HiddenSize / hidden);
        var parameters = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);

        // A matrix [rows × cols] whose top-left block is the old one; the rest is drawn for the weights that read
        // the residual stream (whatever they add reads zeros or feeds nothing yet) and zero for those that write it.
        void Matrix(string name, string from, int rows, int cols, bool draw)
        {
            float[] old = source.Parameters[from];
            long[] oldShape = source.Shapes[from];
            int oldRows = (int)oldShape[0], oldCols = (int)oldShape[1];
            var w = new float[rows * cols];
            for (int r = 0; r < rows; r++)
            {
                for (int k = 0; k < cols; k++)
                {
                    w[r * cols + k] = r < oldRows && k < oldCols ? old[r * oldCols + k] : draw ? Normal() : 0f;
                }
            }

            parameters[name] = w;
            shapes[name] = [rows, cols];
        }

        void Vector(string name, string from, int length, float scale, float fill)
        {
            float[] old = source.Parameters[from];
            var v = new float[length];
            for (int i = 0; i < length; i++)
            {
                v[i] = i < old.Length ? old[i] * scale : fill;
            }

            parameters[name] = v;
            shapes[name] = [length];
        }

        int[] origin = LayerOrigins(c.Layers, layers);
        for (int l = 0; l < layers; l++)
        {
            string p = $"model.layers.{l}.", o = $"model.layers.{origin[l]}.";
            bool copy = l > 0 && origin[l] == origin[l - 1];
            Vector(p + "input_layernorm.weight", o + "input_layernorm.weight", hidden, normScale, normScale);
            Vector(p + "post_attention_layernorm.weight", o + "post_attention_layernorm.weight", hidden,
                normScale, normScale);
            Matrix(p + "self_attn.q_proj.weight", o + "self_attn.q_proj.weight", grown.QDim, hidden, draw: true);
            Matrix(p + "self_attn.k_proj.weight", o + "self_attn.k_proj.weight", grown.KvDim, hidden, draw: true);
            Matrix(p + "self_attn.v_proj.weight", o + "self_attn.v_proj.weight", grown.KvDim, hidden, draw: true);
            Matrix(p + "self_attn.o_proj.weight", o + "self_attn.o_proj.weight", hidden, grown.QDim, draw: false);
            if (c.AttentionBias)
            {
                Vector(p + "self_attn.q_proj.bias", o + "self_attn.q_proj.bias", grown.QDim, 1, 0);
                Vector(p + "self_attn.k_proj.bias", o + "self_attn.k_proj.bias", grown.KvDim, 1, 0);
                Vector(p + "self_attn.v_proj.bias", o + "self_attn.v_proj.bias", grown.KvDim, 1, 0);
            }

            Matrix(p + "mlp.gate_proj.weight", o + "mlp.gate_proj.weight", intermediate, hidden, draw: true);
            Matrix(p + "mlp.up_proj.weight", o + "mlp.up_proj.weight", intermediate, hidden, draw: true);
            Matrix(p + "mlp.down_proj.weight", o + "mlp.down_proj.weight", hidden, intermediate, draw: false);
            if (copy)
            {
                // A copy of the layer before that adds nothing to the residual stream: the identity.
                Array.Clear(parameters[p + "self_attn.o_proj.weight"]);
                Array.Clear(parameters[p + "mlp.down_proj.weight"]);
            }
        }

        Vector("model.norm.weight", "model.norm.weight", hidden, normScale, normScale);
        Matrix("model.embed_tokens.weight", "model.embed_tokens.weight", c.VocabSize, hidden, draw: false);
        if (!c.TieWordEmbeddings)
        {
            Matrix("lm_head.weight", "lm_head.weight", c.VocabSize, hidden, draw: false);
        }

        return new TrainableDecoder(grown, parameters, shapes);
    }

    /// <summary>
    /// For each layer of the grown model, the old layer it starts from: old layers in order, each
    /// followed by its share of the new ones (spread evenly, the later layers first), e.g. 4 → 6 gives
    /// 0, 1, 1, 2, 3, 3.
    /// </summary>
    public static int[] LayerOrigins(int oldLayers, int newLayers)
    {
        int extra = newLayers - oldLayers;
        var origins = new List<int>(newLayers);
        for (int l = 0; l < oldLayers; l++)
        {
            int copies = 1 + ((l + 1) * extra / oldLayers) - (l * extra / oldLayers);
            origins.AddRange(Enumerable.Repeat(l, copies));
        }

        return [.. origins];
    }

    private static void Check(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"cannot grow the model: {problem}");
        }
    }
}
