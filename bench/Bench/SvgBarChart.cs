using System.Globalization;
using System.Security;
using System.Text;

namespace PaDeLLM.Bench;

/// <summary>A horizontal bar chart as a standalone SVG, for results a person compares.</summary>
internal static class SvgBarChart
{
    public static string Render(string title, string unit, IReadOnlyList<(string Label, double Value)> bars)
    {
        const int width = 720, barHeight = 26, left = 260, top = 48;
        int height = top + (bars.Count * (barHeight + 10)) + 30;
        double max = bars.Max(b => b.Value);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" "
            + $"font-family=\"sans-serif\" font-size=\"13\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture,
            $"<text x=\"12\" y=\"26\" font-size=\"16\" font-weight=\"bold\">{SecurityElement.Escape(title)}</text>\n");
        for (int i = 0; i < bars.Count; i++)
        {
            int y = top + (i * (barHeight + 10));
            double w = (width - left - 110) * bars[i].Value / max;
            sb.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{left - 8}\" y=\"{y + 18}\" "
                + $"text-anchor=\"end\">{SecurityElement.Escape(bars[i].Label)}</text>\n");
            sb.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{left}\" y=\"{y}\" width=\"{w:F1}\" height=\"{barHeight}\" "
                + $"fill=\"{(i % 2 == 0 ? "#4C78A8" : "#F58518")}\"/>\n");
            sb.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{left + w + 6:F1}\" y=\"{y + 18}\">{bars[i].Value:G4} "
                + $"{SecurityElement.Escape(unit)}</text>\n");
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
