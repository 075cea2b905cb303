using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Ner.Data;

/// <summary>
/// The seven datasets in the shared data directory, with the label order and Chinese label
/// names of the paper's prompts (its Table 10; the data README).
/// </summary>
public static class DatasetCatalog
{
    /// <summary>The data directory used when none is given: <c>../shared/data</c> beside the checkout.</summary>
    public const string DefaultDataDir = "../shared/data";

    public static readonly IReadOnlyList<DatasetInfo> All =
    [
        new DatasetInfo("conll03", English("conll03", "ORG", "MISC", "PER", "LOC"))
        {
            PadellmOffsets = OffsetConvention.TokensInclusive,
            Columns = new ColumnFormat(TagScheme.IOB1)
                { TokenIsFirstColumn = true, JoinWithSpace = true, DocumentMarker = "-DOCSTART-" },
            ColumnFiles = Files("conll2003/eng.train", "conll2003/eng.testa"),
        },
        new DatasetInfo("genia", English("genia", "DNA", "RNA", "cell_type", "protein", "cell_line"))
        {
            PadellmOffsets = OffsetConvention.TokensExclusive,
        },
        new DatasetInfo("resume",
            Chinese("resume", ("NAME", "名称"), ("CONT", "国籍"), ("RACE", "民族"), ("TITLE", "职位"), ("EDU", "学历"),
            ("ORG", "公司"), ("PRO", "专业"), ("LOC", "籍贯")))
        {
            PadellmOffsets = OffsetConvention.CodePointsInclusive,
            Columns = new ColumnFormat(TagScheme.BMES),
            ColumnFiles = Files("resume/train.char.bmes", "resume/dev.char.bmes"),
        },
        new DatasetInfo("weibo",
            Chinese("weibo", ("PER.NAM", "名称特指"), ("PER.NOM", "名称代称"), ("GPE.NAM", "行政区特指"), ("GPE.NOM", "行政区代称"),
            ("LOC.NOM", "地点代称"), ("LOC.NAM", "地点特指"), ("ORG.NOM", "组织代称"), ("ORG.NAM", "组织特指")))
        {
            PadellmOffsets = OffsetConvention.CodePointsInclusive,
            Columns = new ColumnFormat(TagScheme.BIO) { DropTrailingDigit = true },
            ColumnFiles = Files("weibo/weiboNER_2nd_conll.train", "weibo/weiboNER_2nd_conll.dev"),
        },
        new DatasetInfo("youku", Chinese("youku", ("TELEVISION", "电视剧"), ("PER", "明星"), ("MISC", "其他")))
        {
            PadellmOffsets = OffsetConvention.CodePointsInclusive,
            Columns = new ColumnFormat(TagScheme.BIO),
            ColumnFiles = Files("youku/train.txt", "youku/dev.txt"),
        },
        new DatasetInfo("ecommerce", Chinese("ecommerce", ("HC", "商品"), ("HP", "品牌")))
        {
            PadellmOffsets = OffsetConvention.CodePointsInclusive,
            Columns = new ColumnFormat(TagScheme.BIOES) { DropUnclosedChunks = true },
            ColumnFiles = Files("ecommerce/train.txt.bieos", "ecommerce/dev.txt.bieos"),
        },
        new DatasetInfo("msra", Chinese("msra", ("PER", "名称"), ("LOC", "地点"), ("ORG", "组织")))
        {
            // Only the combined train+dev column file is shared; it is the train split.
            Columns = new ColumnFormat(TagScheme.BMES)
            {
                TypeMap = new Dictionary<string, string> { ["NR"] = "PER", ["NS"] = "LOC", ["NT"] = "ORG" },
            },
            ColumnFiles = new Dictionary<DatasetSplit, string> { [DatasetSplit.Train] = "msra/train_dev.char.bmes" },
        },
    ];

    public static DatasetInfo Get(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new FormatException($"unknown dataset '{name}' (known: {string.Join(", ", All.Select(d => d.Name))})");

    /// <summary>
    /// The dataset whose schema holds every one of <paramref name="labels"/>, preferring the
    /// smallest such schema; null when none does.
    /// </summary>
    public static DatasetInfo? Infer(IEnumerable<string> labels)
    {
        string[] set = labels.Distinct().ToArray();
        return All.Where(d => set.All(d.Schema.Contains)).OrderBy(d => d.Schema.Labels.Count).FirstOrDefault();
    }

    private static Dictionary<DatasetSplit, string> Files(string train, string dev) =>
        new() { [DatasetSplit.Train] = train, [DatasetSplit.Dev] = dev };

    private static LabelSchema English(string name, params string[] keys) =>
        new(name, PromptLanguage.English, keys.Select(k => new EntityLabel(k, k)));

    private static LabelSchema Chinese(string name, params (string Key, string Name)[] labels) =>
        new(name, PromptLanguage.Chinese, labels.Select(l => new EntityLabel(l.Key, l.Name)));
}
