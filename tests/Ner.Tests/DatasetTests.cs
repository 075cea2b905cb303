using System.Text.Json;
using System.Text.RegularExpressions;
using PaDeLLM.Ner.Data;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Ner.Tests;

/// <summary>The readers against the data README and against an independent count of the raw files.</summary>
public partial class DatasetTests
{
    [GeneratedRegex(@"^\|\s*(\w+)\s*\|\s*(en|zh)\s*\|\s*(\d+)\s*/\s*(\d+)\s*\|", RegexOptions.Multiline)]
    private static partial Regex ReadmeRow();

    public static TheoryData<string> PadellmDatasets() =>
        new(DatasetCatalog.All.Where(d => d.HasPadellm).Select(d => d.Name));

    [SharedDataFact]
    public void Sentence_counts_equal_the_data_readme_for_every_dataset_and_split()
    {
        string readme = File.ReadAllText(Path.Combine(SharedData.DataDir, "README.md"));
        var rows = ReadmeRow().Matches(readme).ToList();
        Assert.Equal(6, rows.Count);
        foreach (Match row in rows)
        {
            DatasetInfo info = DatasetCatalog.Get(row.Groups[1].Value);
            Assert.Equal(int.Parse(row.Groups[3].Value), info.Read(SharedData.DataDir, DatasetSplit.Train).Count);
            Assert.Equal(int.Parse(row.Groups[4].Value), info.Read(SharedData.DataDir, DatasetSplit.Dev).Count);
        }
    }

    [SharedDataTheory]
    [MemberData(nameof(PadellmDatasets))]
    public void Mention_counts_equal_the_source_files_element_count(string name)
    {
        DatasetInfo info = DatasetCatalog.Get(name);
        foreach (DatasetSplit split in info.Splits)
        {
            // Independent truth: the number of mention arrays in the raw JSON lines.
            int raw = File.ReadLines(info.PadellmPath(SharedData.DataDir, split))
                .Where(l => l.Trim().Length > 0)
                .Sum(l => JsonDocument.Parse(l).RootElement.GetArrayLength() - 1);
            var sentences = info.Read(SharedData.DataDir, split);
            Assert.Equal(raw, sentences.Sum(s => s.Mentions.Count));
            Assert.All(sentences.SelectMany(s => s.Mentions.Select(m => (s, m))),
                x => Assert.Equal(x.m.Surface, x.m.Span.Slice(x.s.Text)));
        }
    }

    [SharedDataTheory]
    [InlineData("conll03", 23499)]
    [InlineData("genia", 46142)]
    public void Train_mention_counts_match_the_issue(string name, int mentions) =>
        Assert.Equal(mentions,
            DatasetCatalog.Get(name).Read(SharedData.DataDir, DatasetSplit.Train).Sum(s => s.Mentions.Count));

    [SharedDataFact]
    public void Genia_keeps_its_nested_mentions()
    {
        var sentences = DatasetCatalog.Get("genia").Read(SharedData.DataDir, DatasetSplit.Dev);
        int nested = sentences.Sum(s =>
            s.Mentions.Count(m => s.Mentions.Any(o => !ReferenceEquals(o, m) && o.Span.Contains(m.Span))));
        Assert.True(nested > 100, $"only {nested} nested mentions");
    }

    [SharedDataTheory]
    [InlineData("youku")]
    [InlineData("ecommerce")]
    [InlineData("conll03")]
    public void Column_files_give_the_same_sentences_as_the_padellm_files(string name)
    {
        // Two independent encodings of one corpus: the column reader (tag decoding) and the JSON
        // reader (offset checking) must agree sentence by sentence.
        DatasetInfo info = DatasetCatalog.Get(name);
        var fromJson = info.Read(SharedData.DataDir, DatasetSplit.Train);
        var report = new ReadReport();
        var fromColumns = info.ReadColumns(SharedData.DataDir, DatasetSplit.Train, report: report);
        Assert.Equal(fromJson.Count, fromColumns.Count);
        for (int i = 0; i < fromJson.Count; i++)
        {
            // CoNLL quirks of the paper's JSON: ( ) became -LPR- -RPR- everywhere, and the token "None" was lost (read
            // as a null).
            string Normal(string t) => name != "conll03" ? t
                : string.Join(' ', t.Split(' ').Where(w => w != "None")).Replace("(", "-LPR-", StringComparison.Ordinal)
                    .Replace(")", "-RPR-", StringComparison.Ordinal);
            Assert.Equal(fromJson[i].Text, Normal(fromColumns[i].Text));
            var a = fromJson[i].Mentions.Select(m => (m.Label, m.Surface)).Order().ToList();
            var b = fromColumns[i].Mentions.Select(m => (m.Label, Normal(m.Surface))).Order().ToList();
            Assert.True(a.SequenceEqual(b),
                $"sentence {i + 1}: mentions differ: [{string.Join(", ", a)}] vs [{string.Join(", ", b)}]");
        }

        Assert.Equal(0, report.SkippedMentions);
    }

    [SharedDataFact]
    public void Msra_reads_from_its_column_file_with_mapped_labels()
    {
        var report = new ReadReport();
        var sentences = DatasetCatalog.Get("msra").Read(SharedData.DataDir, DatasetSplit.Train, report: report);
        Assert.Equal(46364, sentences.Count); // the blank-line-separated blocks of train_dev.char.bmes
        Assert.Equal(["LOC", "ORG", "PER"],
            sentences.SelectMany(s => s.Mentions).Select(m => m.Label).Distinct().Order());
    }

    [SharedDataFact]
    public void Weibo_columns_drop_the_position_digit()
    {
        var sentences = DatasetCatalog.Get("weibo").ReadColumns(SharedData.DataDir, DatasetSplit.Dev);
        Assert.Equal(270, sentences.Count);
        var json = DatasetCatalog.Get("weibo").Read(SharedData.DataDir, DatasetSplit.Dev);
        Assert.True(sentences.Zip(json).Count(p => p.First.Text == p.Second.Text) > 250);
    }
}
