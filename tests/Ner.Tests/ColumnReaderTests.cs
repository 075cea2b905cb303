using System.Text;
using PaDeLLM.Ner.Data;
using Xunit;

namespace PaDeLLM.Ner.Tests;

public class ColumnReaderTests
{
    private static List<Sentence> Read(string contents, ColumnFormat format, ReadReport? report = null) =>
        ColumnReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(contents)), "t", format, null, report).ToList();

    private static string[] Chunks(Sentence s) => s.Mentions.Select(m => $"{m.Label}:{m.Surface}").ToArray();

    [Fact]
    public void Iob1_starts_chunks_with_I_and_splits_adjacent_ones_with_B()
    {
        var s = Read("-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\nNew NNP I-NP I-LOC\nYork NNP I-NP "
            + "I-LOC\nParis NNP I-NP B-LOC\n",
            new ColumnFormat(TagScheme.IOB1)
            { TokenIsFirstColumn = true, JoinWithSpace = true, DocumentMarker = "-DOCSTART-" });
        Sentence only = Assert.Single(s);
        Assert.Equal("EU rejects New York Paris", only.Text);
        Assert.Equal(["ORG:EU", "LOC:New York", "LOC:Paris"], Chunks(only));
        Assert.Equal(new CharSpan(11, 19), only.Mentions[1].Span);
    }

    [Fact]
    public void Bio_repairs_an_orphan_I_the_conlleval_way()
    {
        var report = new ReadReport();
        var s = Read("a I-PER\nb I-PER\nc O\nd B-LOC\ne I-ORG\n", new ColumnFormat(TagScheme.BIO), report);
        Assert.Equal(["PER:ab", "LOC:d", "ORG:e"], Chunks(s[0]));
        Assert.Equal(2, report.RepairedTagSequences);
    }

    [Fact]
    public void Bioes_and_bmes_decode_begin_middle_end_single()
    {
        var bioes = Read("睡\tB-HC\n衣\tE-HC\n的\tO\no\tS-HP\n", new ColumnFormat(TagScheme.BIOES));
        Assert.Equal(["HC:睡衣", "HP:o"], Chunks(bioes[0]));
        var bmes = Read("吴 B-NAME\n重 M-NAME\n阳 E-NAME\n， O\n中 S-CONT\n", new ColumnFormat(TagScheme.BMES));
        Assert.Equal(["NAME:吴重阳", "CONT:中"], Chunks(bmes[0]));
    }

    [Fact]
    public void Bioes_B_without_E_is_closed_and_counted()
    {
        var report = new ReadReport();
        var s = Read("a B-HC\nb I-HC\nc O\n", new ColumnFormat(TagScheme.BIOES), report);
        Assert.Equal(["HC:ab"], Chunks(s[0]));
        Assert.Equal(1, report.RepairedTagSequences);
    }

    [Fact]
    public void Bioes_can_drop_an_unclosed_chunk_as_the_papers_conversion_did()
    {
        // ecommerce train: 配 B-HC, 件 B-HC, ' ' E-HC — the paper's data keeps only "件 ".
        const string lines = "配\tB-HC\n件\tB-HC\n \tE-HC\n刀\tO\n";
        Assert.Equal(["HC:配", "HC:件 "], Chunks(Read(lines, new ColumnFormat(TagScheme.BIOES))[0]));
        Assert.Equal(["HC:件 "],
            Chunks(Read(lines, new ColumnFormat(TagScheme.BIOES) { DropUnclosedChunks = true })[0]));
    }

    [Fact]
    public void Splits_on_the_last_tab_else_the_last_ascii_space_and_keeps_unicode_space_tokens()
    {
        // A plain-space token, an ideographic-space token, CRLF endings, a TAB-separated line.
        var s = Read("a O\r\n  O\r\n\u3000 B-X\r\n\u00a0\tI-X\r\n", new ColumnFormat(TagScheme.BIO));
        Assert.Equal("a \u3000\u00a0", s[0].Text);
        Assert.Equal(new CharSpan(2, 4), s[0].Mentions.Single().Span);
    }

    [Fact]
    public void Weibo_tokens_drop_their_position_digit()
    {
        var s = Read("老0\tB-PER.NOM\n师1\tI-PER.NOM\n好0\tO\n",
            new ColumnFormat(TagScheme.BIO) { DropTrailingDigit = true });
        Assert.Equal("老师好", s[0].Text);
        Assert.Equal(["PER.NOM:老师"], Chunks(s[0]));
    }

    [Fact]
    public void Whitespace_only_lines_separate_sentences()
    {
        var s = Read("a O\n \t \nb B-X\n", new ColumnFormat(TagScheme.BIO));
        Assert.Equal(2, s.Count);
        Assert.Equal(3, s[1].Line);
    }
}
