using System.Text.Json.Nodes;

namespace PaDeLLM.Bench;

/// <summary>The plot commands' inputs: <c>NAME=FILE</c> arguments and training logs.</summary>
internal static class PlotInputs
{
    /// <summary>Every <c>NAME=FILE</c> argument after the command's name, in order.</summary>
    public static IEnumerable<(string Name, string Path)> Series(string[] args) =>
        args.Skip(1)
            .Where(a => a.Contains('=', StringComparison.Ordinal))
            .Select(a => (a[..a.IndexOf('=', StringComparison.Ordinal)],
                a[(a.IndexOf('=', StringComparison.Ordinal) + 1)..]));

    /// <summary>The JSON objects of a <c>train_log.jsonl</c> with a step; torn or partial lines are skipped.</summary>
    public static IEnumerable<JsonNode> TrainLogRows(string path)
    {
        foreach (string line in File.ReadLines(path))
        {
            JsonNode? row;
            try
            {
                row = JsonNode.Parse(line);
            }
            catch (System.Text.Json.JsonException)
            {
                continue;
            }

            if (row?["step"] is not null)
            {
                yield return row;
            }
        }
    }
}
