using System.Globalization;
using System.Text.Json.Nodes;

namespace PaDeLLM.Bench;

/// <summary>
/// <c>plot-latency NAME=results.json … --out FILE.svg</c>: the distribution (CDF) of per-sentence
/// latency in results files written by <c>padellm eval</c> (the paper's format, "latency" in seconds).
/// </summary>
internal static class LatencyCdfPlot
{
    public static int Run(string[] args, string? outFile)
    {
        var series = new List<(string, IReadOnlyList<(double, double)>)>();
        foreach ((string name, string path) in PlotInputs.Series(args))
        {
            var ms = JsonNode.Parse(File.ReadAllText(path))!.AsArray()
                .Select(r => 1000 * (double)r!["latency"]!).Order().ToList();
            // Up to the 99.5th percentile: a few slow outliers would squash the curve.
            int shown = (int)Math.Ceiling(ms.Count * 0.995);
            int stride = Math.Max(1, shown / 400);
            series.Add((name, ms.Take(shown).Select((v, i) => (v, (i + 1.0) / ms.Count))
                .Where((_, i) => i % stride == 0 || i == shown - 1).ToList()));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {ms.Count} sentences, p50 {ms[ms.Count / 2]:F1} ms, p99 {ms[(int)(ms.Count * 0.99)]:F1} ms"));
        }

        if (series.Count == 0 || outFile is null)
        {
            Console.Error.WriteLine("usage: plot-latency NAME=results.json [NAME=…] --out FILE.svg");
            return 2;
        }

        File.WriteAllText(outFile,
            SvgLineChart.Render("Per-sentence latency (CDF, to the 99.5th percentile)", "latency, ms",
            "fraction of sentences", series, legendLeft: false));
        return 0;
    }
}
