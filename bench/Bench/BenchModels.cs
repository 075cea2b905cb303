using PaDeLLM.Model.Checkpoints;

namespace PaDeLLM.Bench;

internal static class BenchModels
{
    /// <summary>
    /// The training benchmark's shape (issue 13's, the first shipped models'): 4 layers, hidden 256, 4 heads,
    /// SwiGLU 688, 512 positions, tied embeddings, over <paramref name="vocab"/> tokens.
    /// </summary>
    public static ModelConfig Shipped(int vocab) => new()
    {
        Architecture = "LlamaForCausalLM",
        HiddenSize = 256,
        IntermediateSize = 688,
        Layers = 4,
        Heads = 4,
        KvHeads = 4,
        HeadDim = 64,
        VocabSize = vocab,
        RmsNormEps = 1e-5f,
        MaxPositions = 512,
        TieWordEmbeddings = true,
    };

    /// <summary>
    /// A ~1.1B-parameter Llama shape (TinyLlama's): 22 layers, hidden 2048, 32 query heads over 4 KV heads,
    /// SwiGLU 5632, vocabulary 32000, untied head.
    /// </summary>
    public static ModelConfig Llama1B() => new()
    {
        Architecture = "LlamaForCausalLM",
        HiddenSize = 2048,
        IntermediateSize = 5632,
        Layers = 22,
        Heads = 32,
        KvHeads = 4,
        HeadDim = 64,
        VocabSize = 32000,
        RmsNormEps = 1e-5f,
        RopeTheta = 10000,
        TieWordEmbeddings = false,
        MaxPositions = 2048,
    };

    /// <summary>
    /// A ~97M-parameter Llama shape: 12 layers, hidden 768, 12 heads, SwiGLU 2048, vocab 16000, tied embeddings.
    /// </summary>
    public static ModelConfig Llama100M() => new()
    {
        Architecture = "LlamaForCausalLM",
        HiddenSize = 768,
        IntermediateSize = 2048,
        Layers = 12,
        Heads = 12,
        KvHeads = 12,
        HeadDim = 64,
        VocabSize = 16000,
        RmsNormEps = 1e-5f,
        RopeTheta = 10000,
        TieWordEmbeddings = true,
        MaxPositions = 2048,
    };
}
