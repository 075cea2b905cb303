using System.Text.Json;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// train_log.jsonl: one JSON object per optimizer step. A run killed between checkpoints has
/// logged steps that its resume will train again (and may have left a torn last line), so a
/// resume first cuts the log back to the checkpoint's step.
/// </summary>
internal static class TrainLog
{
    public static void TrimAfter(string path, int step)
    {
        if (!File.Exists(path))
        {
            return;
        }

        var kept = new List<string>();
        foreach (string line in File.ReadLines(path))
        {
            int? logged = StepOf(line);
            if (logged is null || logged > step)
            {
                break; // a torn line can only be the last; everything after the checkpoint is retrained
            }

            kept.Add(line);
        }

        File.WriteAllLines(path, kept);
    }

    private static int? StepOf(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("step", out JsonElement s) && s.TryGetInt32(out int v) ? v : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
