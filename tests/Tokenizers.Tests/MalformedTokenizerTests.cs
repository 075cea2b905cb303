using System.Text;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers.HuggingFace;
using PaDeLLM.Tokenizers.SentencePiece;
using Xunit;

namespace PaDeLLM.Tokenizers.Tests;

/// <summary>Broken tokenizer files are clear errors naming the file and the part.</summary>
public class MalformedTokenizerTests
{
    private const string Minimal =
        """{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}}""";

    private static TokenizerException Fails(string json) =>
        Assert.Throws<TokenizerException>(() => HfTokenizer.Parse(Encoding.UTF8.GetBytes(json), "t.json"));

    [Fact]
    public void A_minimal_bpe_file_works()
    {
        HfTokenizer t = HfTokenizer.Parse(Encoding.UTF8.GetBytes(Minimal), "t.json");
        Assert.Equal([2, 0], t.Encode("aba"));
        Assert.Equal("aba", t.Decode([2, 0]));
    }

    [Fact]
    public void A_catastrophic_pattern_runs_linearly_or_is_refused_within_its_timeout()
    {
        string text = new string('a', 40); // no b: every attempt fails, after 2^40 ways for a backtracker
        string Split(string regex) => "{\"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \""
            + regex + "\"}, \"behavior\": \"Isolated\"}, " + Minimal[1..];

        // Nested quantifiers without lookaround: the non-backtracking engine, linear in the text.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        HfTokenizer linear = HfTokenizer.Parse(Encoding.UTF8.GetBytes(Split("(a+)+b")), "t.json");
        Assert.Equal(Enumerable.Repeat(0, 40), linear.Encode(text));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");

        // With a lookahead only the backtracking engine applies (2^40 steps): refused at its timeout.
        clock.Restart();
        HfTokenizer bounded = HfTokenizer.Parse(Encoding.UTF8.GetBytes(Split("(a+)+(?=b)")), "t.json");
        var e = Assert.Throws<TokenizerException>(() => bounded.Encode(text));
        Assert.Contains("took over 1 s", e.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void A_merge_naming_an_unknown_token_is_an_error()
    {
        var e = Fails("""{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a c"]}}""");
        Assert.Contains("t.json: model.merges[0]: merge \"a c\" names 'c', which is not in the vocabulary", e.Message);
        Assert.Contains(
            "expected \"a b\"",
            Fails("""{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["abc"]}}""").Message);
    }

    [Theory]
    [InlineData("""{"model": {"type": "WordPiece", "vocab": {}}}""", "model type 'WordPiece' is not supported")]
    [InlineData("""{"model": {"type": "Unigram", "vocab": []}}""", "model type 'Unigram' is not supported")]
    [InlineData(
        """{"normalizer": {"type": "NFKD"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""",
        "normalizer type 'NFKD' is not supported")]
    [InlineData(
        """{"pre_tokenizer": {"type": "Whitespace"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""",
        "pre_tokenizer type 'Whitespace' is not supported")]
    [InlineData(
        """{"decoder": {"type": "WordPiece"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""",
        "decoder type 'WordPiece' is not supported")]
    [InlineData(
        """{"model": {"type": "BPE", "vocab": {}, "merges": [], "continuing_subword_prefix": "##"}}""",
        "continuing_subword_prefix '##' is not supported")]
    [InlineData(
        """{"model": {"type": "BPE", "vocab": {}, "merges": [], "unk_token": "<unk>"}}""",
        "unk_token '<unk>' is not in the vocabulary")]
    [InlineData("""{"model": {"type": "BPE", "vocab": {}}}""", "missing array \"merges\"")]
    [InlineData("""{"model": {"type": "BPE", "vocab": {}, "merges": [""", "not valid JSON")]
    [InlineData(
        """{"added_tokens": [{"content": "x"}], "model": {"type": "BPE", "vocab": {}, "merges": []}}""",
        "added_tokens[0]: missing id")]
    public void Unsupported_or_broken_components_are_named(string json, string message) =>
        Assert.Contains(message, Fails(json).Message);

    [SharedDataFact]
    public void A_truncated_protobuf_is_a_clear_error()
    {
        byte[] model = File.ReadAllBytes(Path.Combine(SharedData.Fixtures, "tokenizers", "llama2", "tokenizer.model"));
        var e = Assert.Throws<TokenizerException>(
            () => SentencePieceModelFile.Parse(model[..(model.Length / 2)], "llama2/tokenizer.model"));
        Assert.StartsWith("llama2/tokenizer.model: not a valid SentencePiece model", e.Message);
        Assert.Contains(
            "no pieces",
            Assert.Throws<TokenizerException>(() => SentencePieceModelFile.Parse([], "empty.model")).Message);
    }

    [Fact]
    public void A_unigram_model_is_refused()
    {
        // ModelProto { pieces: [{piece: "a", score: 0, type: NORMAL}], trainer_spec: {model_type: UNIGRAM} }
        byte[] proto = [0x0A, 0x05, 0x0A, 0x01, (byte)'a', 0x18, 0x01, 0x12, 0x02, 0x18, 0x01];
        var model = SentencePieceModelFile.Parse(proto, "u.model");
        Assert.Contains(
            "model_type UNIGRAM is not supported",
            Assert.Throws<TokenizerException>(() => new SentencePieceTokenizer(model, "u.model")).Message);
    }

    [Fact]
    public void Missing_files_are_clear_errors()
    {
        using var dir = new TempDir();
        Assert.Contains(
            "no tokenizer.json or tokenizer.model",
            Assert.Throws<TokenizerException>(() => TokenizerLoader.Load(dir.Path)).Message);
        Assert.Contains(
            "no such tokenizer",
            Assert.Throws<TokenizerException>(() => TokenizerLoader.Load(Path.Combine(dir.Path, "nope"))).Message);
    }
}
