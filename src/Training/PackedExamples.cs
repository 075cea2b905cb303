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
    /// <summary>
    /// The example's tokens and, for each token, the weight of predicting the next one: 1 from the
    /// target's loss start on, <paramref name="promptWeight"/> before it (0: the paper's loss, on
    /// the target alone), 0 at the last token; the tokens of a count the loss covers (the target's
    /// first <see cref="TrainingExample.CountLength"/> characters) are predicted with
    /// <paramref name="countWeight"/> instead of 1.
    /// </summary>
    public static (int[] Tokens, float[] Weights) Tokenize(
        TrainingExample example, ITokenizer tokenizer, float promptWeight = 0, float countWeight = 1)
    {
        int eos = tokenizer.EosId ?? throw new InvalidOperationException("the tokenizer has no EOS token");
        int[] full = tokenizer.Encode(example.Prompt + example.Target);
        int lossStart = TokensUpTo(example, example.LossStart, tokenizer, full) is int l and >= 0
            ? l
            : throw new InvalidOperationException(
                $"the tokenizer merges across the prompt/target boundary of sentence {example.Sentence}; "
                + "use a tokenizer whose markers are whole pieces");
        int countEnd = example.LossStart == 0 && example.CountLength > 0 && countWeight != 1
            ? TokensUpTo(example, example.CountLength, tokenizer, full) is int n and >= 0
                ? n
                : throw new InvalidOperationException(
                    $"the tokenizer merges the count of sentence {example.Sentence} with what follows it; "
                    + "train.count_loss_weight needs the count in pieces of its own (tokenizer.copy_aligned)")
            : lossStart;

        int[] tokens = example.AppendEos ? [.. full, eos] : full;
        float[] weights = tokens.Select((_, t) =>
            t >= tokens.Length - 1 ? 0f
            : t >= countEnd - 1 ? 1f
            : t >= lossStart - 1 ? countWeight
            : promptWeight).ToArray();
        return (tokens, weights);
    }

    /// <summary>
    /// The number of tokens of the prompt and the target's first <paramref name="targetChars"/> characters,
    /// or -1 where they are not a prefix of the example's tokens (the tokenizer merges across that point).
    /// </summary>
    private static int TokensUpTo(TrainingExample example, int targetChars, ITokenizer tokenizer, int[] full)
    {
        int[] prefix = tokenizer.Encode(example.Prompt + example.Target[..targetChars]);
        return full.AsSpan(0, Math.Min(prefix.Length, full.Length)).SequenceEqual(prefix) ? prefix.Length : -1;
    }

    public static TrainingSequence Sentence(Sentence sentence, int index, ITrainingFormat format, ITokenizer tokenizer,
        bool pack = true)
    {
        var examples = format.Reformulate(sentence, index).ToList();
        return pack || examples.Count == 1
            ? Pack(examples, tokenizer)
            : throw new ArgumentException("unpacked sentences give several rows; call Tokenize per example",
                nameof(pack));
    }

    /// <summary>
    /// One sentence's examples (already reformulated) as one prefix-tree row. A prompt weight is
    /// the sentence's: each of its n examples carries 1/n of it, so the shared text, which packs
    /// into one copy, predicts its next tokens with the weight given (as a struct or aug row's does).
    /// </summary>
    /// <param name="bidirectionalText">
    /// The text header and the text, which every example's prompt starts with, for a model that reads its text
    /// bidirectionally (<see cref="PaDeLLM.Model.Checkpoints.ModelConfig.BidirectionalText"/>); null: causal.
    /// </param>
    public static TrainingSequence Pack(
        IEnumerable<TrainingExample> examples, ITokenizer tokenizer, float promptWeight = 0, float countWeight = 1,
        string? bidirectionalText = null)
    {
        List<TrainingExample> all = examples.ToList();
        var rows = all.Select(e => Tokenize(e, tokenizer, promptWeight / all.Count, countWeight)).ToList();
        int[] text = bidirectionalText is null ? [] : tokenizer.Encode(bidirectionalText);
        for (int i = 0; i < rows.Count; i++)
        {
            if (!rows[i].Tokens.AsSpan().StartsWith(text) || rows[i].Tokens.Length == text.Length)
            {
                throw new InvalidOperationException(
                    $"sentence {all[i].Sentence}: its prompt's tokens do not start with those of its text "
                    + "(the tokenizer merges across the text's end), so the text cannot be read bidirectionally");
            }
        }

        return PrefixTreePacker.Pack(rows, text.Length);
    }
}
