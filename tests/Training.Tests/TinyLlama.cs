using PaDeLLM.Model.Checkpoints;

namespace PaDeLLM.Training.Tests;

/// <summary>The small untied Llama shape the trainer's loop tests run on (random weights, vocabulary 60).</summary>
internal static class TinyLlama
{
    public static ModelConfig Config { get; } = new()
    {
        Architecture = "LlamaForCausalLM",
        HiddenSize = 32,
        IntermediateSize = 48,
        Layers = 2,
        Heads = 4,
        KvHeads = 2,
        HeadDim = 8,
        VocabSize = 60,
        MaxPositions = 64,
        TieWordEmbeddings = false,
    };
}
