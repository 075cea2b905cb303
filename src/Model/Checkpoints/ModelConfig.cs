using System.Text.Json;

namespace PaDeLLM.Model.Checkpoints;

/// <summary>
/// The decoder hyper-parameters from a Hugging Face <c>config.json</c> for LlamaForCausalLM,
/// Qwen2ForCausalLM or MistralForCausalLM. A feature this engine does not implement (rope
/// scaling, biases Llama does not have, other activations) is an error, never ignored.
/// </summary>
public sealed record ModelConfig
{
    public required string Architecture { get; init; }

    public required int HiddenSize { get; init; }

    public required int IntermediateSize { get; init; }

    public required int Layers { get; init; }

    public required int Heads { get; init; }

    public required int KvHeads { get; init; }

    public required int HeadDim { get; init; }

    public required int VocabSize { get; init; }

    public float RmsNormEps { get; init; } = 1e-6f;

    public double RopeTheta { get; init; } = 10000;

    public bool TieWordEmbeddings { get; init; }

    /// <summary>q/k/v projections have biases (always for Qwen2; <c>attention_bias</c> for Llama).</summary>
    public bool AttentionBias { get; init; }

    public int MaxPositions { get; init; } = 4096;

    /// <summary>The positions a sequence may use: the position table, or the sliding window where smaller.</summary>
    public int ContextLength => SlidingWindow is int window ? Math.Min(window, MaxPositions) : MaxPositions;

    /// <summary>Mistral's sliding window: sequences longer than it are refused rather than attended wrongly.</summary>
    public int? SlidingWindow { get; init; }

    public int? BosTokenId { get; init; }

    /// <summary>
    /// The text of a prompt (its text header and the text, <c>bidirectional_text</c> in config.json; our extension)
    /// is read as a prefix LM reads it: each of its tokens attends to all of them, the rest causally. The text is
    /// shared by every sequence of a request, so it is encoded once either way; what changes is that each text
    /// token sees its right context, as a tagger's does.
    /// </summary>
    public bool BidirectionalText { get; init; }

    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    public int KvDim => KvHeads * HeadDim;

    public int QDim => Heads * HeadDim;

    public static readonly IReadOnlyList<string> SupportedArchitectures =
        ["LlamaForCausalLM", "Qwen2ForCausalLM", "MistralForCausalLM"];

    /// <summary>The HF config.json for this configuration (what <see cref="Parse"/> reads back).</summary>
    public string ToJson()
    {
        var o = new System.Text.Json.Nodes.JsonObject
        {
            ["architectures"] = new System.Text.Json.Nodes.JsonArray(Architecture),
            ["model_type"] = Architecture switch
            {
                "Qwen2ForCausalLM" => "qwen2",
                "MistralForCausalLM" => "mistral",
                _ => "llama"
            },
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = Layers,
            ["num_attention_heads"] = Heads,
            ["num_key_value_heads"] = KvHeads,
            ["head_dim"] = HeadDim,
            ["vocab_size"] = VocabSize,
            ["rms_norm_eps"] = RmsNormEps,
            ["rope_theta"] = RopeTheta,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["attention_bias"] = AttentionBias,
            ["max_position_embeddings"] = MaxPositions,
            ["hidden_act"] = "silu",
            ["torch_dtype"] = "float32",
        };
        if (BosTokenId is int bos)
        {
            o["bos_token_id"] = bos;
        }

        if (EosTokenIds.Count > 0)
        {
            o["eos_token_id"] = EosTokenIds[0];
        }

        if (BidirectionalText)
        {
            o["bidirectional_text"] = true;
        }

        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public static ModelConfig Load(string directory)
    {
        string path = Path.Combine(directory, "config.json");
        if (!File.Exists(path))
        {
            throw new CheckpointException($"{path}: not found (a checkpoint directory needs config.json)");
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static ModelConfig Parse(string json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{source}: not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            JsonElement c = doc.RootElement;
            if (c.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException($"{source}: must be a JSON object, not {c.ValueKind}");
            }

            string arch = ParseArchitecture(c, source);
            bool qwen = arch == "Qwen2ForCausalLM";
            int hidden = Int(c, "hidden_size", source);
            int heads = Int(c, "num_attention_heads", source);
            int kvHeads = OptInt(c, "num_key_value_heads", source) ?? heads;
            int headDim = OptInt(c, "head_dim", source) ?? (hidden / heads);
            if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0)
            {
                throw new CheckpointException(
                    $"{source}: num_attention_heads {heads} must be a positive multiple of "
                    + $"num_key_value_heads {kvHeads}");
            }

            if (OptInt(c, "head_dim", source) is null && hidden % heads != 0)
            {
                throw new CheckpointException(
                    $"{source}: hidden_size {hidden} is not divisible by num_attention_heads {heads}");
            }

            string act = OptString(c, "hidden_act", source) ?? "silu";
            if (act != "silu")
            {
                throw new CheckpointException($"{source}: hidden_act '{act}' is not supported (only silu)");
            }

            if (c.TryGetProperty("rope_scaling", out JsonElement scaling) && scaling.ValueKind != JsonValueKind.Null)
            {
                string type = scaling.ValueKind == JsonValueKind.Object
                    && (scaling.TryGetProperty("rope_type", out JsonElement rt)
                        || scaling.TryGetProperty("type", out rt))
                    && rt.ValueKind == JsonValueKind.String
                    ? rt.GetString()!
                    : "unknown";
                if (type != "default")
                {
                    throw new CheckpointException($"{source}: rope_scaling type '{type}' is not supported");
                }
            }

            if (OptBool(c, "mlp_bias", source) == true)
            {
                throw new CheckpointException($"{source}: mlp_bias is not supported");
            }

            bool attentionBias = qwen || (OptBool(c, "attention_bias", source) ?? false);
            int? window = null;
            if (arch == "MistralForCausalLM")
            {
                window = OptInt(c, "sliding_window", source);
            }
            else if (qwen && OptBool(c, "use_sliding_window", source) == true)
            {
                throw new CheckpointException($"{source}: use_sliding_window is not supported");
            }

            // Ranges before anything is allocated from them: a size no model has is a corrupted file.
            int vocab = Int(c, "vocab_size", source);
            Within(source, "hidden_size", hidden, MaxWidth);
            Within(source, "num_attention_heads", heads, MaxHeads);
            Within(source, "head_dim", headDim, MaxWidth);
            Within(source, "vocab_size", vocab, MaxVocabulary);
            int[] eos = EosIds(c, source);
            int? bos = OptInt(c, "bos_token_id", source);
            foreach (int id in bos is int b ? eos.Append(b) : eos)
            {
                if (id < 0 || id >= vocab)
                {
                    throw new CheckpointException(
                        $"{source}: token id {id} (eos_token_id/bos_token_id) is outside the vocabulary of {vocab}");
                }
            }

            double eps = OptDouble(c, "rms_norm_eps", source) ?? 1e-6;
            if (!(eps > 0 && eps < 1))
            {
                throw new CheckpointException($"{source}: 'rms_norm_eps' must be above 0 and below 1, not {eps}");
            }

            double theta = OptDouble(c, "rope_theta", source) ?? 10000;
            if (!(theta > 0 && double.IsFinite(theta)))
            {
                throw new CheckpointException($"{source}: 'rope_theta' must be a positive number, not {theta}");
            }

            return new ModelConfig
            {
                Architecture = arch,
                HiddenSize = hidden,
                IntermediateSize = Within(
                    source, "intermediate_size", Int(c, "intermediate_size", source), MaxWidth * 8),
                Layers = Within(source, "num_hidden_layers", Int(c, "num_hidden_layers", source), MaxLayers),
                Heads = heads,
                KvHeads = kvHeads,
                HeadDim = headDim,
                VocabSize = vocab,
                RmsNormEps = (float)eps,
                RopeTheta = theta,
                TieWordEmbeddings = OptBool(c, "tie_word_embeddings", source) ?? false,
                AttentionBias = attentionBias,
                MaxPositions = OptInt(c, "max_position_embeddings", source) is int positions
                    ? Within(source, "max_position_embeddings", positions, MaxPositionLimit)
                    : 4096,
                SlidingWindow = window,
                BosTokenId = bos,
                EosTokenIds = eos,
                BidirectionalText = OptBool(c, "bidirectional_text", source) ?? false,
            };
        }
    }

    // Bounds above any released decoder (Llama 3.1 405B: hidden 16,384, 126 layers, 128 heads,
    // vocabulary 128,256), with room to spare; what exceeds them is a corrupted or hostile file.
    private const int MaxWidth = 1 << 16, MaxHeads = 1024, MaxLayers = 1024, MaxVocabulary = 1 << 22;
    private const int MaxPositionLimit = 1 << 24;

    private static int Within(string source, string name, int value, int max) =>
        value <= max
            ? value
            : throw new CheckpointException($"{source}: '{name}' {value} is larger than any model ({max})");

    private static string ParseArchitecture(JsonElement c, string source)
    {
        if (c.TryGetProperty("architectures", out JsonElement a)
            && a.ValueKind == JsonValueKind.Array
            && a.GetArrayLength() > 0)
        {
            string name = a[0].ValueKind == JsonValueKind.String
                ? a[0].GetString()!
                : throw new CheckpointException(
                    $"{source}: 'architectures' must be a list of names, not {a[0].ValueKind}");
            return SupportedArchitectures.Contains(name)
                ? name
                : throw new CheckpointException(
                    $"{source}: architecture '{name}' is not supported "
                    + $"(supported: {string.Join(", ", SupportedArchitectures)})");
        }

        return OptString(c, "model_type", source) switch
        {
            "llama" => "LlamaForCausalLM",
            "qwen2" => "Qwen2ForCausalLM",
            "mistral" => "MistralForCausalLM",
            string other => throw new CheckpointException($"{source}: model_type '{other}' is not supported"),
            null => throw new CheckpointException($"{source}: neither architectures nor model_type is given"),
        };
    }

    private static int[] EosIds(JsonElement c, string source)
    {
        if (!c.TryGetProperty("eos_token_id", out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int one))
        {
            return [one];
        }

        if (e.ValueKind == JsonValueKind.Array)
        {
            return e.EnumerateArray()
                .Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int v)
                    ? v
                    : throw new CheckpointException($"{source}: eos_token_id entries must be integers"))
                .ToArray();
        }

        throw new CheckpointException($"{source}: eos_token_id must be an integer or a list of integers");
    }

    private static int Int(JsonElement c, string name, string source) =>
        OptInt(c, name, source) is int v && v > 0
            ? v
            : throw new CheckpointException($"{source}: '{name}' is missing or not a positive integer");

    private static int? OptInt(JsonElement c, string name, string source)
    {
        if (!c.TryGetProperty(name, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v)
            ? v
            : throw new CheckpointException($"{source}: '{name}' must be an integer");
    }

    private static double? OptDouble(JsonElement c, string name, string source)
    {
        if (!c.TryGetProperty(name, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return e.ValueKind == JsonValueKind.Number
            ? e.GetDouble()
            : throw new CheckpointException($"{source}: '{name}' must be a number");
    }

    private static bool? OptBool(JsonElement c, string name, string source)
    {
        if (!c.TryGetProperty(name, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new CheckpointException($"{source}: '{name}' must be true or false"),
        };
    }

    private static string? OptString(JsonElement c, string name, string source)
    {
        if (!c.TryGetProperty(name, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return e.ValueKind == JsonValueKind.String
            ? e.GetString()
            : throw new CheckpointException($"{source}: '{name}' must be a string");
    }
}
