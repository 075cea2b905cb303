namespace PaDeLLM.Orchestrations.Runtime;

/// <summary>
/// Where an in-process backend keeps its instances' histories. Appends happen before the
/// work they announce starts, so a restarted process finds every scheduled task and re-runs
/// only those without a recorded completion.
/// </summary>
public interface IHistoryStore
{
    /// <summary>The instance's history so far, or an empty list for an instance never seen.</summary>
    IReadOnlyList<HistoryEvent> Load(string instanceId);

    void Append(string instanceId, IReadOnlyList<HistoryEvent> events);

    /// <summary>Forgets the instance (Durable's purge), e.g. so a failed run can be started afresh.</summary>
    void Purge(string instanceId);
}

/// <summary>Histories in memory: the default, gone with the process.</summary>
public sealed class InMemoryHistoryStore : IHistoryStore
{
    private readonly Dictionary<string, List<HistoryEvent>> _histories = new(StringComparer.Ordinal);

    public IReadOnlyList<HistoryEvent> Load(string instanceId)
    {
        lock (_histories)
        {
            return _histories.TryGetValue(instanceId, out var h) ? [.. h] : [];
        }
    }

    public void Append(string instanceId, IReadOnlyList<HistoryEvent> events)
    {
        lock (_histories)
        {
            if (!_histories.TryGetValue(instanceId, out var h))
            {
                _histories[instanceId] = h = [];
            }

            h.AddRange(events);
        }
    }

    public void Purge(string instanceId)
    {
        lock (_histories)
        {
            _histories.Remove(instanceId);
        }
    }
}
