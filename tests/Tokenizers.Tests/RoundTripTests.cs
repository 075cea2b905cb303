using PaDeLLM.Ner.Data;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers.HuggingFace;
using PaDeLLM.Tokenizers.SentencePiece;
using PaDeLLM.Tokenizers.Training;
using Xunit;

namespace PaDeLLM.Tokenizers.Tests;

/// <summary>decode(encode(s)) = s for every training sentence of every dataset.</summary>
public class RoundTripTests
{
    private static readonly Lazy<List<string>> AllTrainingTexts = new(() =>
        DatasetCatalog.All.SelectMany(d => d.Read(SharedData.DataDir, DatasetSplit.Train))
            .Select(s => s.Text).ToList());

    private static void AssertRoundTrips(ITokenizer tokenizer, string name)
    {
        List<string> texts = AllTrainingTexts.Value;
        Assert.Equal(92_587, texts.Count); // all seven training splits (the data README's counts; MSRA 46,364)
        var failures = texts.Where(t => tokenizer.Decode(tokenizer.Encode(t)) != t).Take(5).ToList();
        Assert.True(failures.Count == 0, $"{name}: {string.Join(" | ", failures)}");
    }

    [SharedDataFact]
    public void Llama2_tokenizer_json_round_trips_every_training_sentence() =>
        AssertRoundTrips(HfTokenizer.Load(Path.Combine(SharedData.Fixtures, "tokenizers", "llama2",
            "tokenizer.json")), "llama2");

    [SharedDataFact]
    public void Llama2_tokenizer_model_round_trips_every_training_sentence() =>
        AssertRoundTrips(SentencePieceTokenizer.Load(Path.Combine(SharedData.Fixtures, "tokenizers", "llama2",
            "tokenizer.model")), "llama2.model");

    [SharedDataFact]
    public void Qwen3_round_trips_every_training_sentence() =>
        AssertRoundTrips(HfTokenizer.Load(Path.Combine(SharedData.Fixtures, "tokenizers", "qwen3",
            "tokenizer.json")), "qwen3");

    [SharedDataFact]
    public void A_trained_tokenizer_round_trips_every_training_sentence_and_keeps_markers_whole()
    {
        // Trained on a slice of English and Chinese; what it never saw falls back to bytes.
        List<string> texts = AllTrainingTexts.Value;
        var sample = texts.Where((_, i) => i % 20 == 0).ToList();
        using var dir = new TempDir();
        BpeTrainer.Save(BpeTrainer.Train(sample, new BpeTrainerOptions { VocabSize = 6000 }), dir.Path);
        var tokenizer = HfTokenizer.Load(Path.Combine(dir.Path, "tokenizer.json"));
        Assert.Equal(6000, tokenizer.VocabSize);
        AssertRoundTrips(tokenizer, "trained");

        const string prompt = "text:\nNadim Ladki\nentity type:\nPER\n\n<num>1\n<mention 1>Nadim Ladki";
        int[] ids = tokenizer.Encode(prompt);
        Assert.Equal(prompt, tokenizer.Decode(ids));
        foreach (string marker in new[] { "<num>", "<mention 1>", "\n" })
        {
            Assert.Contains(tokenizer.TokenToId(marker)!.Value, ids);
        }

        int[] zh = tokenizer.Encode("<数量>2\n<第12文段>中共中央");
        Assert.Equal(tokenizer.TokenToId("<数量>"), zh[0]);
        Assert.Contains(tokenizer.TokenToId("<第12文段>")!.Value, zh);
    }

    // Resume's PaDeLLM texts have no space, yet the Struct baseline's targets read "(L): (m), (L): (m)".
    [Fact]
    public void A_tokenizer_trained_on_texts_without_spaces_still_round_trips_a_space()
    {
        string[] texts = ["历任公司副总经理、总工程师，", "吴重阳，中国国籍，大学本科", "<数量>1\n<第1文段>吴重阳"];
        using var dir = new TempDir();
        BpeTrainer.Save(BpeTrainer.Train(texts, new BpeTrainerOptions { VocabSize = 400 }), dir.Path);
        var tokenizer = HfTokenizer.Load(Path.Combine(dir.Path, "tokenizer.json"));

        const string target = "((职位): (副总经理), (名称): (NULL))";
        Assert.Equal(target, tokenizer.Decode(tokenizer.Encode(target)));
        Assert.Equal([tokenizer.TokenToId("\u2581")!.Value], tokenizer.Encode(" "));
    }
}
