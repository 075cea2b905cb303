using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Metrics;
using PaDeLLM.Ner.Results;
using Spectre.Console;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// <c>padellm score FILE [--dedup paper|none|reverse] [--json]</c>: the paper's metric on a results file.
/// </summary>
internal static class ScoreCommand
{
    public static Command Create(CliContext ctx)
    {
        var file = new Argument<string>("file")
        { Description = "results file in the paper's format (JSON array of {id, texts, pred, gt})" };
        var dedup = DedupOption();
        var dataset = DatasetOption();
        var json = new Option<bool>("--json") { Description = "print the scores as JSON" };
        var command = new Command("score",
            "Score a results file with the paper's micro-F1 (string sets per sentence and label)")
            { file, dedup, dataset, json };
        command.SetAction(r =>
        {
            List<OfficialRecord> records = OfficialResultsFile.Load(r.GetValue(file)!);
            DedupPolicy policy = DedupPolicyNames.Parse(r.GetValue(dedup)!);
            IReadOnlyList<string> order = LabelOrder(records, r.GetValue(dataset), ctx);
            var metric = new PaperMicroF1();
            var byCount = new GoldCountBreakdown();
            foreach (OfficialRecord rec in records)
            {
                List<LabelPredictions> pred = MentionDeduplicator.Apply(rec.Predicted, order, policy);
                var strings = pred.ToDictionary(p => p.Label, p => p.Mentions.Select(m => m.Text).ToList());
                metric.Add(strings, rec.Gold);
                byCount.Add(strings, rec.Gold);
            }

            if (r.GetValue(json))
            {
                JsonObject o = ToJson(records.Count, policy, metric);
                o["by_gold_count"] = ToJson(byCount);
                ctx.Out.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Render(ctx, records.Count, policy, metric);
                Render(ctx, byCount);
            }

            return 0;
        });
        return command;
    }

    internal static Option<string> DedupOption() => new Option<string>("--dedup")
    {
        Description = "de-duplication before scoring: paper, none or reverse",
        DefaultValueFactory = _ => "none",
    }.AcceptOnlyFromAmong("paper", "none", "reverse");

    internal static Option<string?> DatasetOption() => new("--dataset")
    {
        Description = "dataset whose label order breaks de-duplication ties (default: inferred from the "
            + "labels in the file)",
    };

    /// <summary>
    /// The tie-break order: the named dataset's, else the one inferred from the file's labels, else first appearance.
    /// </summary>
    internal static IReadOnlyList<string> LabelOrder(IReadOnlyList<OfficialRecord> records, string? dataset,
        CliContext ctx)
    {
        var seen = records.SelectMany(r => r.Predicted.Select(p => p.Label).Concat(r.Gold.Keys)).Distinct().ToList();
        DatasetInfo? info = dataset is not null ? DatasetCatalog.Get(dataset) : DatasetCatalog.Infer(seen);
        if (info is null)
        {
            ctx.Error.WriteLine($"note: labels {string.Join(", ", seen)} match no known dataset; ties go to "
                + $"the label seen first");
            return seen;
        }

        var unknown = seen.Where(l => !info.Schema.Contains(l)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"labels {string.Join(", ", unknown)} are not in dataset {info.Name} "
                + $"({string.Join(", ", info.Schema.Keys)})");
        }

        return info.Schema.Keys.ToList();
    }

    private static JsonObject ToJson(int records, DedupPolicy policy, PaperMicroF1 metric)
    {
        var perLabel = new JsonObject();
        foreach ((string label, PrfCounts c) in metric.Scores.PerLabel)
        {
            perLabel[label] = Counts(c);
        }

        JsonObject o = Counts(metric.Micro);
        o.Insert(0, "records", records);
        o.Insert(1, "dedup", policy.ToString().ToLowerInvariant());
        o["per_label"] = perLabel;
        return o;
    }

    private static JsonArray ToJson(GoldCountBreakdown breakdown) =>
    [
        .. breakdown.Groups.Select((g, i) =>
        {
            JsonObject o = Counts(g.Strings);
            string gold = i.ToString(CultureInfo.InvariantCulture) + (i < GoldCountBreakdown.Top ? "" : "+");
            o.Insert(0, "gold_strings", gold);
            o.Insert(1, "pairs", g.Pairs);
            o.Insert(2, "counted_right", g.CountedRight);
            return o;
        }),
    ];

    private static JsonObject Counts(PrfCounts c) => new()
    {
        ["tp"] = c.Tp,
        ["fp"] = c.Fp,
        ["fn"] = c.Fn,
        ["precision"] = c.Precision,
        ["recall"] = c.Recall,
        ["micro_f1"] = c.F1,
    };

    private static void Render(CliContext ctx, int records, DedupPolicy policy, PaperMicroF1 metric)
    {
        var table = new Table().Title($"{records} records, de-duplication: {policy.ToString().ToLowerInvariant()}");
        foreach (string h in new[] { "label", "tp", "fp", "fn", "P", "R", "F1" })
        {
            table.AddColumn(new TableColumn(h).RightAligned());
        }

        foreach ((string label, PrfCounts c) in metric.Scores.PerLabel)
        {
            table.AddRow(Row(Markup.Escape(label), c));
        }

        table.AddRow(Row("[bold]micro[/]", metric.Micro));
        ctx.Console.Write(table);
    }

    private static void Render(CliContext ctx, GoldCountBreakdown breakdown)
    {
        var table = new Table().Title("by distinct gold strings per (sentence, label)");
        foreach (string h in new[] { "gold", "pairs", "counted right", "tp", "fp", "fn", "R" })
        {
            table.AddColumn(new TableColumn(h).RightAligned());
        }

        for (int i = 0; i < breakdown.Groups.Count; i++)
        {
            GoldCountBreakdown.Group g = breakdown.Groups[i];
            string[] row = Row(i < GoldCountBreakdown.Top ? $"{i}" : $"{i}+", g.Strings);
            table.AddRow(row[0], $"{g.Pairs}", $"{g.CountedRight}", row[1], row[2], row[3], row[5]);
        }

        ctx.Console.Write(table);
    }

    private static string[] Row(string label, PrfCounts c) =>
    [
        label, c.Tp.ToString(CultureInfo.InvariantCulture), c.Fp.ToString(CultureInfo.InvariantCulture),
        c.Fn.ToString(CultureInfo.InvariantCulture),
        Pct(c.Precision), Pct(c.Recall), Pct(c.F1),
    ];

    private static string Pct(double x) => (100 * x).ToString("F2", CultureInfo.InvariantCulture);
}
