using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Prompts;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Extraction;

/// <summary>
/// For a model that reads its text bidirectionally (<see cref="Model.Checkpoints.ModelConfig.BidirectionalText"/>):
/// the text header and the text, every prompt's common start, are prefilled as one segment whose tokens see each
/// other, and each prompt goes on causally from there, as the model was trained.
/// </summary>
public sealed class BidirectionalText
{
    private readonly int[] _tokens;

    private BidirectionalText(int[] tokens) => _tokens = tokens;

    /// <summary>The text's tokens, or null for a causal model (its prompts are decoded whole).</summary>
    public static BidirectionalText? For(DecoderModel model, ITokenizer tokenizer, string text,
        PromptLanguage language) =>
        model.Config.BidirectionalText ? new(tokenizer.Encode(PromptTemplate.For(language).TextHeader + text)) : null;

    /// <summary>
    /// Prefills the text under <paramref name="parent"/>, each of its tokens attending to all of them.
    /// </summary>
    public GenerationRequest Prefill(KvNode parent) =>
        new(parent, _tokens, 0, GenerationRequest.NoStop) { BidirectionalPrompt = true };

    /// <summary>Why a prompt cannot go on from its text's bidirectional prefix.</summary>
    public const string MergedAcrossText =
        "the prompt's tokens do not start with its text's (the tokenizer merges across the text's end), "
        + "so the text cannot be read bidirectionally";

    /// <summary>The prompt's tokens after the text (at least one: its last token starts the generation).</summary>
    public int[] After(int[] prompt) =>
        TokenPath.Remainder(prompt, _tokens) ?? throw new InvalidOperationException(MergedAcrossText);
}
