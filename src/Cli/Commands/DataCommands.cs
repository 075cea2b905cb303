using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Training;
using Spectre.Console;

namespace PaDeLLM.Cli.Commands;

/// <summary><c>padellm data stats</c> and <c>padellm data reformulate</c>.</summary>
internal static class DataCommands
{
    private static readonly JsonSerializerOptions JsonLines = new()
    { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliContext ctx) => new("data", "Inspect and convert the NER datasets")
        { Stats(ctx), Reformulate(ctx) };

    private static Command Stats(CliContext ctx)
    {
        var dataset = new Option<string?>("--dataset") { Description = "one dataset (default: all seven)" };
        var data = DataDirectory.Option();
        var source = new Option<string>("--source")
        {
            Description = "padellm (the JSON-lines files; MSRA has only columns) or columns (the "
                + "original column files)",
            DefaultValueFactory = _ => "padellm",
        }.AcceptOnlyFromAmong("padellm", "columns");
        var lenient = new Option<bool>("--lenient") { Description = "count and skip bad mentions instead of stopping" };
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var command = new Command("stats", "Sentence and mention counts per dataset, split and label")
            { dataset, data, source, lenient, json };
        command.SetAction(r =>
        {
            string dir = DataDirectory.Resolve(r.GetValue(data)!);
            string? name = r.GetValue(dataset);
            IEnumerable<DatasetInfo> sets = name is null ? DatasetCatalog.All : [DatasetCatalog.Get(name)];
            bool columns = r.GetValue(source) == "columns";
            var rows = new List<(DatasetInfo Info, DatasetSplit Split, string Source, List<Sentence> Sentences,
                ReadReport Report)>();
            foreach (DatasetInfo info in sets)
            {
                IEnumerable<DatasetSplit> splits = columns || !info.HasPadellm ? info.ColumnFiles.Keys.Order()
                    : info.Splits;
                foreach (DatasetSplit split in splits)
                {
                    var report = new ReadReport();
                    var options = new ReadOptions { Lenient = r.GetValue(lenient), Schema = info.Schema };
                    bool useColumns = columns || !info.HasPadellm;
                    List<Sentence> sentences = useColumns
                        ? info.ReadColumns(dir, split, options, report)
                        : info.Read(dir, split, options, report);
                    rows.Add((info, split, useColumns ? "columns" : "padellm", sentences, report));
                }
            }

            if (r.GetValue(json))
            {
                var array = new JsonArray();
                foreach (var row in rows)
                {
                    var labels = new JsonObject();
                    foreach (string key in row.Info.Schema.Keys)
                    {
                        labels[key] = row.Sentences.Sum(s => s.Mentions.Count(m => m.Label == key));
                    }

                    array.Add(new JsonObject
                    {
                        ["dataset"] = row.Info.Name,
                        ["split"] = row.Split.Name(),
                        ["source"] = row.Source,
                        ["sentences"] = row.Sentences.Count,
                        ["mentions"] = row.Sentences.Sum(s => s.Mentions.Count),
                        ["sentences_without_mentions"] = row.Sentences.Count(s => s.Mentions.Count == 0),
                        ["nested_mentions"] = row.Sentences.Sum(Nested),
                        ["skipped_mentions"] = row.Report.SkippedMentions,
                        ["repaired_tag_sequences"] = row.Report.RepairedTagSequences,
                        ["labels"] = labels,
                    });
                }

                ctx.Out.WriteLine(array.ToJsonString(new JsonSerializerOptions
                { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                return 0;
            }

            var table = new Table()
                .AddColumns("dataset", "split", "source", "sentences", "mentions", "nested", "skipped", "per label");
            foreach (var row in rows)
            {
                string perLabel = string.Join("  ",
                    row.Info.Schema.Keys.Select(k =>
                    $"{k} {row.Sentences.Sum(s => s.Mentions.Count(m => m.Label == k))}"));
                table.AddRow(
                    row.Info.Name, row.Split.Name(), row.Source,
                    N(row.Sentences.Count), N(row.Sentences.Sum(s => s.Mentions.Count)), N(row.Sentences.Sum(Nested)),
                    N(row.Report.SkippedMentions), Markup.Escape(perLabel));
            }

            ctx.Console.Write(table);
            foreach (var row in rows.Where(x => x.Report.Problems.Count > 0))
            {
                ctx.Error.WriteLine($"{row.Info.Name}/{row.Split.Name()}: {row.Report.Problems.Count} problem(s), "
                    + $"first: {row.Report.Problems[0]}");
            }

            return 0;
        });
        return command;
    }

    private static Command Reformulate(CliContext ctx)
    {
        var dataset = new Option<string>("--dataset") { Description = "dataset name", Required = true };
        var split = new Option<string>("--split") { Description = "train or dev", DefaultValueFactory = _ => "train" };
        var format = new Option<string>("--format")
        { Description = "padellm, struct, aug or padellm+aug", DefaultValueFactory = _ => "padellm" }
            .AcceptOnlyFromAmong([.. TrainingFormats.Names]);
        var lossSpan = new Option<string>("--loss-span")
        {
            Description = "padellm only: from-count (the paper) or mention-only",
            DefaultValueFactory = _ => "from-count",
        }.AcceptOnlyFromAmong("from-count", "mention-only");
        var output = new Option<string>("--out") { Description = "output JSON-lines file", Required = true };
        var data = DataDirectory.Option();
        var command = new Command("reformulate", "Turn a dataset split into {prompt, target} training pairs")
            { dataset, split, format, lossSpan, output, data };
        command.SetAction(r =>
        {
            string dir = DataDirectory.Resolve(r.GetValue(data)!);
            DatasetInfo info = DatasetCatalog.Get(r.GetValue(dataset)!);
            DatasetSplit s = DatasetSplitNames.Parse(r.GetValue(split)!);
            ITrainingFormat f = TrainingFormats.Create(r.GetValue(format)!, info.Schema,
                r.GetValue(lossSpan) == "mention-only" ? LossSpan.MentionOnly : LossSpan.FromCount);
            List<Sentence> sentences = info.Read(dir, s);
            string path = r.GetValue(output)!;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            int examples = 0;
            using (var writer = new StreamWriter(path))
            {
                for (int i = 0; i < sentences.Count; i++)
                {
                    foreach (TrainingExample ex in f.Reformulate(sentences[i], i))
                    {
                        writer.WriteLine(JsonSerializer.Serialize(ToJson(ex), JsonLines));
                        examples++;
                    }
                }
            }

            ctx.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{info.Name}/{s.Name()}: {sentences.Count} sentences -> {examples} {f.Name} examples "
                    + $"({(double)examples / sentences.Count:F2} per sentence) -> {path}"));
            return 0;
        });
        return command;
    }

    internal static JsonObject ToJson(TrainingExample ex)
    {
        var o = new JsonObject { ["sentence"] = ex.Sentence };
        if (ex.Label is not null)
        {
            o["label"] = ex.Label;
        }

        o["prompt"] = ex.Prompt;
        o["target"] = ex.Target;
        o["eos"] = ex.AppendEos;
        o["loss_start"] = ex.LossStart;
        return o;
    }

    private static int Nested(Sentence s) =>
        s.Mentions.Count(m =>
            s.Mentions.Any(o => !ReferenceEquals(o, m) && o.Span.Contains(m.Span) && o.Span != m.Span));

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
