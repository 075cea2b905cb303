using System.Globalization;
using System.Text.Json.Nodes;

namespace PaDeLLM.Bench;

/// <summary>
/// <c>plot-dev-f1 NAME=train_log.jsonl … --out FILE.svg</c>: the periodic dev evaluations of one or
/// more runs (the log's <c>dev_paper_f1</c> lines, in %) against step. Unlike losses, these compare
/// across formats and across the prompt-loss lever, whose loss counts other tokens.
/// </summary>
internal static class DevF1Plot
{
    public static int Run(string[] args, string? outFile)
    {
        var series = new List<(string, IReadOnlyList<(double, double)>)>();
        foreach ((string name, string path) in PlotInputs.Series(args))
        {
            var points = new SortedDictionary<int, double>();
            foreach (JsonNode row in PlotInputs.TrainLogRows(path).Where(r => r["dev_paper_f1"] is not null))
            {
                // a resumed run's repeat replaces the first
                points[(int)row["step"]!] = 100 * (double)row["dev_paper_f1"]!;
            }

            if (points.Count == 0)
            {
                Console.Error.WriteLine($"{path}: no dev_paper_f1 lines (was the run's config given \"eval\": "
                    + $"{{\"every\": N}}?)");
                return 1;
            }

            series.Add((name, points.Select(p => ((double)p.Key, p.Value)).ToList()));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {string.Join(", ", points.Select(p => $"{p.Value:F1} @{p.Key}"))}"));
        }

        if (series.Count == 0 || outFile is null)
        {
            Console.Error.WriteLine("usage: plot-dev-f1 NAME=train_log.jsonl [NAME=…] --out FILE.svg");
            return 2;
        }

        File.WriteAllText(outFile,
            SvgLineChart.Render("Dev paper micro-F1 during training", "step", "paper micro-F1 (%)", series,
            legendLeft: true));
        return 0;
    }
}
