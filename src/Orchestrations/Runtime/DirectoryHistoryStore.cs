using System.Text;
using System.Text.Json;

namespace PaDeLLM.Orchestrations.Runtime;

/// <summary>
/// One JSON-lines file per instance (<c>{directory}/{escaped id}.jsonl</c>, an event a line),
/// appended and flushed per episode. A process killed mid-append leaves at most a torn last
/// line, which loading drops (that episode's work is then redone: at-least-once, like Durable).
/// </summary>
public sealed class DirectoryHistoryStore : IHistoryStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private readonly object _gate = new();

    public DirectoryHistoryStore(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public IReadOnlyList<HistoryEvent> Load(string instanceId)
    {
        string path = PathOf(instanceId);
        lock (_gate)
        {
            if (!File.Exists(path))
            {
                return [];
            }

            var events = new List<HistoryEvent>();
            string[] lines = File.ReadAllLines(path);
            for (int i = 0; i < lines.Length; i++)
            {
                try
                {
                    events.Add(JsonSerializer.Deserialize<HistoryEvent>(lines[i], Json) ?? throw new JsonException("null event"));
                }
                catch (JsonException) when (i == lines.Length - 1)
                {
                    // A torn final line from a killed process: drop it and rewrite the file without it.
                    File.WriteAllLines(path, lines[..i]);
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"{path}:{i + 1}: not a history event: {e.Message}", e);
                }
            }

            return events;
        }
    }

    public void Append(string instanceId, IReadOnlyList<HistoryEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        var sb = new StringBuilder();
        foreach (HistoryEvent e in events)
        {
            sb.Append(JsonSerializer.Serialize(e, Json)).Append('\n');
        }

        lock (_gate)
        {
            using var stream = new FileStream(PathOf(instanceId), FileMode.Append, FileAccess.Write, FileShare.Read);
            stream.Write(Encoding.UTF8.GetBytes(sb.ToString()));
        }
    }

    public void Purge(string instanceId)
    {
        lock (_gate)
        {
            File.Delete(PathOf(instanceId));
        }
    }

    /// <summary>The instance's file: its id escaped by <see cref="SafeName"/>, then ".jsonl".</summary>
    public string PathOf(string instanceId) => Path.Combine(Directory, SafeName.Escape(instanceId) + ".jsonl");
}
