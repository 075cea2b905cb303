using System.Text.Json;
using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Training;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// A training configuration file (JSON), every field optional:
/// <c>{"model": {"hidden_size", "layers", "heads", "kv_heads", "intermediate_size", "max_positions",
/// "bidirectional_text"},
/// "tokenizer": {"vocab_size", "copy_aligned"}, "train": {"steps", "batch_size", "lr", "warmup", "weight_decay",
/// "clip", "seed", "checkpoint_every", "prompt_loss_weight", "count_loss_weight", "dropout"},
/// "augment": {"copies", "mention_replacement", "unseen_characters", "join_adjacent"},
/// "eval": {"dev_sentences", "every"}}</c>. Dev
/// evaluation runs on the first dev_sentences dev sentences every <c>every</c> steps (0: at the end only) and is
/// logged beside the loss.
/// </summary>
internal sealed record TrainConfig
{
    public int Hidden { get; init; } = 256;

    public int Layers { get; init; } = 4;

    public int Heads { get; init; } = 4;

    public int KvHeads { get; init; } = 4;

    public int Intermediate { get; init; } = 688;

    public int MaxPositions { get; init; } = 512;

    public int VocabSize { get; init; } = 8000;

    /// <summary>
    /// The model reads each prompt's text bidirectionally, as a prefix LM
    /// (<see cref="ModelConfig.BidirectionalText"/>); a causal model given with <c>--init</c> is trained on as one.
    /// The prompt loss then skips the text.
    /// </summary>
    public bool BidirectionalText { get; init; }

    public bool CopyAligned { get; init; }

    public TrainerOptions Train { get; init; } = new();

    public int CheckpointEvery { get; init; } = 500;

    /// <summary>
    /// Every N steps (0: never) the weights are also kept as a model directory of their own,
    /// <c>steps/N/</c> in the run, so the last few can be averaged (<c>padellm model export --model …</c>).
    /// </summary>
    public int SnapshotEvery { get; init; }

    public int DevSentences { get; init; } = 200;

    public int EvalEvery { get; init; }

    /// <summary>
    /// Weight of next-token loss on each sentence's prompt (its text and instruction), beside the
    /// targets' weight 1. The paper trains on targets only, from a pretrained LM; from scratch this
    /// is the language-model signal that a pretrained model would have brought.
    /// </summary>
    public float PromptLossWeight { get; init; }

    /// <summary>
    /// Weight of predicting a PaDeLLM count's tokens, beside the other target tokens' 1: the count is
    /// one or two tokens of a label's branch, yet a wrong count loses or invents whole mentions.
    /// </summary>
    public float CountLossWeight { get; init; } = 1;

    /// <summary>
    /// Replaced copies of each training sentence added to the data (0: none): each copy's mentions are,
    /// with probability <see cref="ReplacementProbability"/>, other strings of the same label from the same
    /// dataset (<see cref="Ner.Training.MentionReplacement"/>).
    /// </summary>
    public int AugmentCopies { get; init; }

    /// <summary>The probability that a mention of a replaced copy is replaced.</summary>
    public double ReplacementProbability { get; init; } = 0.5;

    /// <summary>
    /// Every training sentence joined to the next one added to the data (<see cref="Ner.Training.AdjacentJoining"/>):
    /// longer texts with more mentions to count.
    /// </summary>
    public bool JoinAdjacent { get; init; }

    /// <summary>
    /// The chance that a mention of a replaced copy, and the copy's text outside its mentions, gets one character the
    /// tokenizer lacks (<see cref="Ner.Training.UnseenCharacters"/>; 0: none).
    /// </summary>
    public double UnseenCharacterProbability { get; init; }

    public static TrainConfig Load(string? path)
    {
        if (path is null)
        {
            return new TrainConfig();
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new UsageException($"{path}: cannot read the training config: {e.Message}");
        }

        using (doc)
        {
            JsonElement r = doc.RootElement;
            int I(string section, string name, int fallback) => Get(r, section, name) is JsonElement e
                ? Int(e, path, section, name) : fallback;
            double D(string section, string name, double fallback) =>
                Get(r, section, name) is JsonElement e && e.ValueKind == JsonValueKind.Number ? e.GetDouble()
                : Get(r, section, name) is null ? fallback
                : throw new UsageException($"{path}: {section}.{name} must be a number");
            var defaults = new TrainerOptions();
            return new TrainConfig
            {
                Hidden = I("model", "hidden_size", 256),
                Layers = I("model", "layers", 4),
                Heads = I("model", "heads", 4),
                KvHeads = I("model", "kv_heads", I("model", "heads", 4)),
                Intermediate = I("model", "intermediate_size", 688),
                MaxPositions = I("model", "max_positions", 512),
                BidirectionalText = Bool(r, path, "model", "bidirectional_text"),
                VocabSize = I("tokenizer", "vocab_size", 8000),
                CopyAligned = Bool(r, path, "tokenizer", "copy_aligned"),
                CheckpointEvery = I("train", "checkpoint_every", 500),
                SnapshotEvery = Get(r, "train", "snapshot_every") is JsonElement se
                    ? Int(se, path, "train", "snapshot_every", min: 0)
                    : 0,
                PromptLossWeight = D("train", "prompt_loss_weight", 0) is double w && w >= 0 && w <= 1 ? (float)w
                    : throw new UsageException($"{path}: train.prompt_loss_weight must be between 0 and 1"),
                CountLossWeight = D("train", "count_loss_weight", 1) is double c && c > 0 && c <= 100
                    ? (float)c
                    : throw new UsageException($"{path}: train.count_loss_weight must be above 0 and at most 100"),
                AugmentCopies = Get(r, "augment", "copies") is JsonElement ac
                    ? Int(ac, path, "augment", "copies", min: 0) is int copies && copies <= 10
                        ? copies
                        : throw new UsageException($"{path}: augment.copies must be at most 10")
                    : 0,
                ReplacementProbability = D("augment", "mention_replacement", 0.5) is double mr && mr > 0 && mr <= 1
                    ? mr
                    : throw new UsageException($"{path}: augment.mention_replacement must be above 0 and at most 1"),
                JoinAdjacent = Bool(r, path, "augment", "join_adjacent"),
                UnseenCharacterProbability = D("augment", "unseen_characters", 0) is double uc && uc >= 0 && uc <= 1
                    ? uc
                    : throw new UsageException($"{path}: augment.unseen_characters must be between 0 and 1"),
                DevSentences = Get(r, "eval", "dev_sentences") is JsonElement ds
                    ? Int(ds, path, "eval", "dev_sentences", min: 0) : 200,
                EvalEvery = Get(r, "eval", "every") is JsonElement ev ? Int(ev, path, "eval", "every", min: 0) : 0,
                Train = new TrainerOptions
                {
                    Steps = I("train", "steps", defaults.Steps),
                    BatchSize = I("train", "batch_size", defaults.BatchSize),
                    LearningRate = D("train", "lr", defaults.LearningRate),
                    WarmupSteps = I("train", "warmup", defaults.WarmupSteps),
                    WeightDecay = D("train", "weight_decay", defaults.WeightDecay),
                    ClipNorm = D("train", "clip", defaults.ClipNorm),
                    Seed = (ulong)I("train", "seed", 1),
                    Dropout = D("train", "dropout", 0) is double p && p >= 0 && p < 1
                        ? (float)p
                        : throw new UsageException($"{path}: train.dropout must be at least 0 and below 1"),
                },
            };
        }
    }

    public ModelConfig Model(int vocab, int? bos, int eos) => new()
    {
        Architecture = "LlamaForCausalLM",
        HiddenSize = Hidden,
        IntermediateSize = Intermediate,
        Layers = Layers,
        Heads = Heads,
        KvHeads = KvHeads,
        HeadDim = Hidden / Heads,
        VocabSize = vocab,
        RmsNormEps = 1e-5f,
        MaxPositions = MaxPositions,
        TieWordEmbeddings = true,
        BosTokenId = bos,
        EosTokenIds = [eos],
        BidirectionalText = BidirectionalText,
    };

    private static JsonElement? Get(JsonElement root, string section, string name) =>
        root.TryGetProperty(section, out JsonElement s) && s.ValueKind == JsonValueKind.Object
            && s.TryGetProperty(name, out JsonElement v) ? v : null;

    private static bool Bool(JsonElement root, string path, string section, string name) =>
        Get(root, section, name) switch
        {
            null => false,
            JsonElement { ValueKind: JsonValueKind.True } => true,
            JsonElement { ValueKind: JsonValueKind.False } => false,
            _ => throw new UsageException($"{path}: {section}.{name} must be true or false"),
        };

    private static int Int(JsonElement e, string path, string section, string name, int min = 1) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) && v >= min
            ? v
            : throw new UsageException($"{path}: {section}.{name} must be a "
                + $"{(min > 0 ? "positive" : "non-negative")} integer");
}
