using PaDeLLM.Ner.Data;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers.HuggingFace;
using PaDeLLM.Tokenizers.Training;
using Xunit;

namespace PaDeLLM.Tokenizers.Tests;

/// <summary>
/// A mention the model must copy should be the same token ids alone (as a target) as inside its
/// sentence. Measured on real train sentences: how many gold mentions' pieces occur verbatim,
/// contiguously, in their sentence's pieces, with and without the trainer's alignment options.
/// </summary>
public class CopyAlignedTokenizerTests
{
    private static (double Share, List<string> Misses) CopyableShare(string dataset, BpeTrainerOptions options)
    {
        List<Sentence> sentences = DatasetCatalog.Get(dataset).Read(SharedData.DataDir, DatasetSplit.Train)
            .Take(1500).ToList();
        using var dir = new TempDir();
        BpeTrainer.Save(BpeTrainer.Train(sentences.Select(s => s.Text), options), dir.Path);
        var tokenizer = HfTokenizer.Load(Path.Combine(dir.Path, "tokenizer.json"));
        int copyable = 0, total = 0;
        var misses = new List<string>();
        foreach (Sentence s in sentences)
        {
            int[] text = tokenizer.Encode(s.Text);
            foreach (GoldMention m in s.Mentions)
            {
                int[] alone = tokenizer.Encode(m.Surface);
                total++;
                if (Enumerable.Range(0, text.Length - alone.Length + 1)
                    .Any(i => text.AsSpan(i, alone.Length).SequenceEqual(alone)))
                {
                    copyable++;
                }
                else
                {
                    misses.Add($"'{m.Surface}' in '{s.Text}'");
                }
            }
        }

        return ((double)copyable / total, misses);
    }

    [SharedDataFact]
    public void Copy_aligned_every_english_mention_is_copyable_token_for_token()
    {
        double plain = CopyableShare("conll03", new BpeTrainerOptions { VocabSize = 2000 }).Share;
        (double isolated, List<string> misses) = CopyableShare("conll03",
            new BpeTrainerOptions { VocabSize = 2000, CopyAligned = true });
        Assert.True(plain < 0.5,
            $"plain BPE: {plain:P1} of mentions copyable (a mid-sentence mention's first piece carries ▁)");
        Assert.True(misses.Count == 0, $"{isolated:P2} copyable; not: {string.Join("; ", misses.Take(5))}");
    }

    [SharedDataFact]
    public void Copy_aligned_every_chinese_mention_is_copyable_token_for_token()
    {
        double plain = CopyableShare("resume", new BpeTrainerOptions { VocabSize = 3000 }).Share;
        (double single, List<string> misses) = CopyableShare("resume",
            new BpeTrainerOptions { VocabSize = 3000, CopyAligned = true });
        Assert.True(plain < 0.95, $"plain BPE: {plain:P1} of mentions copyable");
        Assert.True(misses.Count == 0, $"{single:P2} copyable; not: {string.Join("; ", misses.Take(5))}");
    }
}
