using System.Globalization;
using System.Security;
using System.Text;

namespace PaDeLLM.Bench;

/// <summary>Line charts (e.g. training loss against step) as a standalone SVG with axes and a legend.</summary>
internal static class SvgLineChart
{
    private static readonly string[] Colors = ["#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2",
        "#9D755D", "#FF9DA6"];

    public static string Render(string title, string xLabel, string yLabel,
        IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series, bool legendLeft = false)
    {
        const int width = 760, height = 420, left = 70, right = 20, top = 50, bottom = 50;
        var all = series.SelectMany(s => s.Points).ToList();
        double xMin = all.Min(p => p.X), xMax = all.Max(p => p.X), yMin = Math.Min(0, all.Min(p => p.Y)),
            yMax = all.Max(p => p.Y) * 1.05;
        double X(double x) => left + ((x - xMin) / Math.Max(1e-9, xMax - xMin) * (width - left - right));
        double Y(double y) => top + ((1 - ((y - yMin) / Math.Max(1e-9, yMax - yMin))) * (height - top - bottom));
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" "
            + $"font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append(ci, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        sb.Append(ci, $"<text x=\"12\" y=\"26\" font-size=\"16\" "
            + $"font-weight=\"bold\">{SecurityElement.Escape(title)}</text>\n");
        for (int i = 0; i <= 5; i++)
        {
            double yv = yMin + ((yMax - yMin) * i / 5), xv = xMin + ((xMax - xMin) * i / 5);
            sb.Append(ci, $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Y(yv):F1}\" y2=\"{Y(yv):F1}\" "
                + $"stroke=\"#ddd\"/>\n");
            sb.Append(ci, $"<text x=\"{left - 6}\" y=\"{Y(yv) + 4:F1}\" text-anchor=\"end\">{yv:G3}</text>\n");
            sb.Append(ci, $"<text x=\"{X(xv):F1}\" y=\"{height - bottom + 18}\" "
                + $"text-anchor=\"middle\">{xv:G4}</text>\n");
        }

        sb.Append(ci, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 10}\" "
            + $"text-anchor=\"middle\">{SecurityElement.Escape(xLabel)}</text>\n");
        sb.Append(ci, $"<text x=\"16\" y=\"{(top + height - bottom) / 2}\" transform=\"rotate(-90 16 "
            + $"{(top + height - bottom) / 2})\" text-anchor=\"middle\">{SecurityElement.Escape(yLabel)}</text>\n");
        for (int s = 0; s < series.Count; s++)
        {
            string color = Colors[s % Colors.Length];
            string points = string.Join(" ",
                series[s].Points.Select(p => string.Create(ci, $"{X(p.X):F1},{Y(p.Y):F1}")));
            sb.Append(ci, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{points}\"/>\n");

            // Sparse series (periodic evaluations) get a marker per measured point.
            if (series[s].Points.Count <= 50)
            {
                foreach ((double x, double y) in series[s].Points)
                {
                    sb.Append(ci, $"<circle cx=\"{X(x):F1}\" cy=\"{Y(y):F1}\" r=\"3\" fill=\"{color}\"/>\n");
                }
            }

            int legendX = legendLeft ? left + 20 : width - right - 330;
            sb.Append(ci, $"<rect x=\"{legendX}\" y=\"{top + (s * 18)}\" width=\"12\" height=\"12\" "
                + $"fill=\"{color}\"/>\n");
            sb.Append(ci, $"<text x=\"{legendX + 18}\" "
                + $"y=\"{top + (s * 18) + 10}\">{SecurityElement.Escape(series[s].Name)}</text>\n");
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
