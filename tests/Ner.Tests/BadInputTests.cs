using System.Text;
using PaDeLLM.Ner.Data;
using Xunit;

namespace PaDeLLM.Ner.Tests;

/// <summary>
/// Bad input is a <see cref="DataFormatException"/> naming the file, the line and the field — never a crash or a hang.
/// </summary>
public class BadInputTests
{
    private static List<Sentence> ReadJson(string contents, OffsetConvention? offsets = null,
        ReadOptions? options = null, ReadReport? report = null) =>
        PadellmJsonReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(contents)), "t.json",
            offsets ?? OffsetConvention.TokensInclusive, options, report).ToList();

    private static List<Sentence> ReadColumns(string contents, ColumnFormat format, ReadOptions? options = null,
        ReadReport? report = null) =>
        ColumnReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(contents)), "t.bio", format, options,
            report).ToList();

    [Fact]
    public void Truncated_json_line_names_file_and_line()
    {
        var e = Assert.Throws<DataFormatException>(() =>
            ReadJson("[\"EU rejects\", [0, 0, \"EU\", \"ORG\"]]\n[\"Peter Blackburn\", [0, 1, \"Peter"));
        Assert.Equal(2, e.Line);
        Assert.StartsWith("t.json:2: malformed JSON", e.Message);
    }

    [Fact]
    public void Wrong_offsets_name_the_mention_and_what_they_select()
    {
        var e = Assert.Throws<DataFormatException>(() =>
            ReadJson("[\"EU rejects German call\", [2, 2, \"EU\", \"ORG\"]]"));
        Assert.Equal(1, e.Line);
        Assert.Equal("mention 1 (\"EU\", ORG)", e.Field);
        Assert.Contains("select \"German\"", e.Message);
    }

    [Fact]
    public void Offsets_past_the_text_are_an_error_not_an_out_of_range_read()
    {
        var e = Assert.Throws<DataFormatException>(() => ReadJson("[\"EU rejects\", [1, 5, \"x\", \"ORG\"]]"));
        Assert.Contains("outside the text's 2 tokens", e.Message);
        var zh = Assert.Throws<DataFormatException>(() =>
            ReadJson("[\"高勇\", [0, 2, \"高勇\", \"NAME\"]]", OffsetConvention.CodePointsInclusive));
        Assert.Contains("code points", zh.Message);
    }

    [Fact]
    public void Lenient_mode_counts_and_skips_bad_mentions_and_lines()
    {
        var report = new ReadReport();
        var sentences = ReadJson("[\"EU rejects German\", [2, 2, \"EU\", \"ORG\"], [2, 2, \"German\", \"MISC\"]]\n"
            + "{oops\n[\"fine\"]\n", options: new ReadOptions { Lenient = true }, report: report);
        Assert.Equal(2, sentences.Count);
        Assert.Equal("German", Assert.Single(sentences[0].Mentions).Surface);
        Assert.Equal(1, report.SkippedMentions);
        Assert.Equal(1, report.SkippedLines);
        Assert.Equal(2, report.Problems.Count);
    }

    [Fact]
    public void Empty_file_and_blank_file_are_errors()
    {
        Assert.Contains("file is empty", Assert.Throws<DataFormatException>(() => ReadJson("")).Message);
        Assert.Contains("only blank lines", Assert.Throws<DataFormatException>(() => ReadJson("\n  \n")).Message);
        Assert.Contains("file is empty",
            Assert.Throws<DataFormatException>(() => ReadColumns("", new ColumnFormat(TagScheme.BIO))).Message);
    }

    [Fact]
    public void A_ten_megabyte_line_is_rejected_without_being_parsed()
    {
        string big = "[\"" + new string('a', 10 * 1024 * 1024) + "\"]";
        var e = Assert.Throws<DataFormatException>(() => ReadJson("[\"ok\"]\n" + big + "\n[\"after\"]\n"));
        Assert.Equal(2, e.Line);
        Assert.Contains("longer than the limit", e.Message);

        // Lenient: skipped, and reading goes on with the next line.
        var report = new ReadReport();
        var sentences = ReadJson("[\"ok\"]\n" + big + "\n[\"after\"]\n", options: new ReadOptions { Lenient = true },
            report: report);
        Assert.Equal(["ok", "after"], sentences.Select(s => s.Text));
        Assert.Equal(1, report.SkippedLines);
    }

    [Fact]
    public void Invalid_utf8_is_located()
    {
        byte[] bytes = [.. "[\"ok\"]\n[\""u8, 0xC3, 0x28, .. "\"]\n"u8];
        var e = Assert.Throws<DataFormatException>(() =>
            PadellmJsonReader.Read(new MemoryStream(bytes), "t.json", OffsetConvention.TokensInclusive).ToList());
        Assert.Equal(2, e.Line);
        Assert.Contains("invalid UTF-8", e.Message);
    }

    // System.Text.Json throws InvalidOperationException reading such a string: it once escaped as a crash.
    [Fact]
    public void An_escape_decoding_to_an_unpaired_surrogate_is_located()
    {
        var text = Assert.Throws<DataFormatException>(() => ReadJson("[\"ok\"]\n[\"a \\ud800 b\"]"));
        Assert.Equal(2, text.Line);
        Assert.Contains("unpaired surrogate", text.Message, StringComparison.Ordinal);
        var mention = Assert.Throws<DataFormatException>(() => ReadJson("[\"a b\", [0, 0, \"\\udc00\", \"X\"]]"));
        Assert.Equal("mention 1", mention.Field);

        var record = Assert.Throws<DataFormatException>(() =>
            Results.OfficialResultsFile.Parse(
            "[{\"id\": 0, \"texts\": \"a\", \"pred\": {\"PER\": [[\"\\ud800\", 0.5]]}, \"gt\": {}}]"u8, "r.json"));
        Assert.Equal("record 1.pred.PER[0]", record.Field);
        Assert.Contains("unpaired surrogate", record.Message, StringComparison.Ordinal);
        var label = Assert.Throws<DataFormatException>(() =>
            Results.OfficialResultsFile.Parse(
            "[{\"id\": 0, \"texts\": \"a\", \"pred\": {}, \"gt\": {\"\\udc00\": []}}]"u8, "r.json"));
        Assert.Equal("record 1", label.Field);
    }

    [Fact]
    public void Structural_errors_name_the_field()
    {
        Assert.Equal("text", Assert.Throws<DataFormatException>(() => ReadJson("[42]")).Field);
        Assert.Equal("mention 1", Assert.Throws<DataFormatException>(() => ReadJson("[\"a\", [0, 0, \"a\"]]")).Field);
        Assert.Equal("mention 1",
            Assert.Throws<DataFormatException>(() => ReadJson("[\"a\", [\"0\", 0, \"a\", \"X\"]]")).Field);
        Assert.Contains("expected a JSON array",
            Assert.Throws<DataFormatException>(() => ReadJson("{\"text\": \"a\"}")).Message);
    }

    [Fact]
    public void Label_outside_the_schema_is_an_error_when_a_schema_is_given()
    {
        var schema = DatasetCatalog.Get("conll03").Schema;
        var e = Assert.Throws<DataFormatException>(() =>
            ReadJson("[\"EU\", [0, 0, \"EU\", \"GPE\"]]", options: new ReadOptions { Schema = schema }));
        Assert.Contains("label 'GPE' is not in schema conll03", e.Message);
    }

    [Fact]
    public void Unknown_tag_scheme_is_a_clear_error()
    {
        var e = Assert.Throws<FormatException>(() => TagSchemeNames.Parse("BILOU"));
        Assert.Contains("unknown tag scheme 'BILOU'", e.Message);
        Assert.Equal(TagScheme.BIOES, TagSchemeNames.Parse("bieos"));
    }

    [Fact]
    public void A_tag_the_scheme_does_not_use_names_its_line()
    {
        var e = Assert.Throws<DataFormatException>(() =>
            ReadColumns("a O\nb E-PER\n", new ColumnFormat(TagScheme.BIO)));
        Assert.Equal(2, e.Line);
        Assert.Equal("tag", e.Field);
        Assert.Contains("prefix 'E'", e.Message);
        var f = Assert.Throws<DataFormatException>(() =>
            ReadColumns("a O\n\nb PER\n", new ColumnFormat(TagScheme.BIO)));
        Assert.Equal(3, f.Line);
    }

    [Fact]
    public void A_column_line_without_separator_is_an_error()
    {
        var e = Assert.Throws<DataFormatException>(() => ReadColumns("a O\nbroken\n", new ColumnFormat(TagScheme.BIO)));
        Assert.Equal(2, e.Line);
    }
}
