using System.Globalization;
using System.Text.Json.Nodes;

namespace PaDeLLM.Bench;

/// <summary>
/// <c>plot-loss NAME=train_log.jsonl … --out FILE.svg</c>: training loss against step for one or
/// more runs (an exponential moving average over 50 steps; torn or partial lines are skipped).
/// </summary>
internal static class LossCurvePlot
{
    public static int Run(string[] args, string? outFile)
    {
        var series = new List<(string, IReadOnlyList<(double, double)>)>();
        foreach ((string name, string path) in PlotInputs.Series(args))
        {
            var points = new List<(double, double)>();
            double ema = double.NaN;
            foreach (JsonNode row in PlotInputs.TrainLogRows(path).Where(r => r["loss"] is not null))
            {
                double loss = (double)row["loss"]!;
                ema = double.IsNaN(ema) ? loss : (0.98 * ema) + (0.02 * loss);
                points.Add(((int)row["step"]!, ema));
            }

            // Thin to ~400 points: the SVG stays small, the curve's shape is kept.
            int stride = Math.Max(1, points.Count / 400);
            series.Add((name, points.Where((_, i) => i % stride == 0 || i == points.Count - 1).ToList()));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {points.Count} steps, smoothed loss {points[0].Item2:F3} -> {points[^1].Item2:F3}"));
        }

        if (series.Count == 0 || outFile is null)
        {
            Console.Error.WriteLine("usage: plot-loss NAME=train_log.jsonl [NAME=…] --out FILE.svg");
            return 2;
        }

        File.WriteAllText(outFile, SvgLineChart.Render("Training loss (EMA over 50 steps)", "step", "loss", series));
        return 0;
    }
}
