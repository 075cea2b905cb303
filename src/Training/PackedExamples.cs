using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Training;

/// <summary>
/// Turns a sentence's training examples (any <see cref="ITrainingFormat"/>) into token rows:
/// prompt + target + EOS, the loss from the target's <c>LossStart</c> on; with packing, all of a
/// sentence's examples become one prefix-tree row.
/// </summary>
public static class PackedExamples
{
    public static (int[] Tokens, bool[] PredictNext) Tokenize(TrainingExample example, ITokenizer tokenizer)
    {
        int eos = tokenizer.EosId ?? throw new InvalidOperationException("the tokenizer has no EOS token");
        string lossFree = example.Prompt + example.Target[..example.LossStart];
        int[] prefix = tokenizer.Encode(lossFree);
        int[] full = tokenizer.Encode(example.Prompt + example.Target);
        if (!full.AsSpan(0, Math.Min(prefix.Length, full.Length)).SequenceEqual(prefix))
        {
            throw new InvalidOperationException($"the tokenizer merges across the prompt/target boundary of sentence {example.Sentence}; use a tokenizer whose markers are whole pieces");
        }

        int[] tokens = example.AppendEos ? [.. full, eos] : full;
        bool[] predict = tokens.Select((_, t) => t >= prefix.Length - 1 && t < tokens.Length - 1).ToArray();
        return (tokens, predict);
    }

    public static TrainingSequence Sentence(Sentence sentence, int index, ITrainingFormat format, ITokenizer tokenizer, bool pack = true)
    {
        var examples = format.Reformulate(sentence, index).ToList();
        return pack || examples.Count == 1
            ? Pack(examples, tokenizer)
            : throw new ArgumentException("unpacked sentences give several rows; call Tokenize per example", nameof(pack));
    }

    /// <summary>One sentence's examples (already reformulated) as one prefix-tree row.</summary>
    public static TrainingSequence Pack(IEnumerable<TrainingExample> examples, ITokenizer tokenizer) =>
        PrefixTreePacker.Pack(examples.Select(e => Tokenize(e, tokenizer)));
}
