using System.Text.Json.Nodes;

namespace PaDeLLM.Orchestrations.Runtime;

/// <summary>
/// Runs orchestrations in this process, the embedded default. Each episode's new actions are
/// recorded in the history, then carried out — activities concurrently (fan-out),
/// sub-orchestrations recursively, timers by waiting — and the orchestrator is replayed as
/// soon as any of them completes, with every completion that has arrived by then (so a
/// bounded fan-out refills a slot without waiting for the slowest task). With a persistent
/// <see cref="IHistoryStore"/>, a restarted process resumes an instance: a completed instance
/// returns its recorded result without work, and only tasks with no recorded completion run again.
/// </summary>
public sealed class InProcessOrchestrationBackend
{
    private readonly Dictionary<string, Func<IOrchestrationContext, Task<JsonNode?>>> _orchestrators = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<JsonNode?, CancellationToken, Task<JsonNode?>>> _activities = new(StringComparer.Ordinal);
    private long _activitiesRun;

    public Func<DateTime> Clock { get; init; } = () => DateTime.UtcNow;

    public IHistoryStore History { get; init; } = new InMemoryHistoryStore();

    /// <summary>Raised with (orchestrator name, instance id) when an instance completes, or is found completed in its history.</summary>
    public event Action<string, string>? InstanceCompleted;

    /// <summary>Activity executions started by this backend (retries and re-runs after a restart included).</summary>
    public long ActivitiesRun => Interlocked.Read(ref _activitiesRun);

    public InProcessOrchestrationBackend AddOrchestrator(string name, Func<IOrchestrationContext, Task<JsonNode?>> orchestrator)
    {
        _orchestrators[name] = orchestrator;
        return this;
    }

    public InProcessOrchestrationBackend AddActivity(string name, Func<JsonNode?, CancellationToken, Task<JsonNode?>> activity)
    {
        _activities[name] = activity;
        return this;
    }

    /// <summary>Runs (or resumes) an instance to completion and returns its result and history.</summary>
    public async Task<(OrchestratorResult Result, List<HistoryEvent> History)> RunAsync(string name, string instanceId, JsonNode? input, CancellationToken cancel = default)
    {
        if (!_orchestrators.TryGetValue(name, out var orchestrator))
        {
            throw new ArgumentException($"no orchestrator named '{name}'", nameof(name));
        }

        var history = History.Load(instanceId).ToList();
        if (history.OfType<ExecutionCompleted>().FirstOrDefault() is { } done)
        {
            InstanceCompleted?.Invoke(name, instanceId);
            return (new OrchestratorResult([], true, done.Result, done.Failure), history);
        }

        // Work still running when the call ends — the instance completed early (a failed
        // fan-out) or the caller cancelled — is cancelled and awaited: nothing outlives the call.
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var inFlight = new List<Task<HistoryEvent>>();
        try
        {
            return await Drive(orchestrator, name, instanceId, input, history, inFlight, abandon.Token);
        }
        finally
        {
            await abandon.CancelAsync();
            await Task.WhenAll(inFlight).ContinueWith(_ => { }, CancellationToken.None);
        }
    }

    private async Task<(OrchestratorResult Result, List<HistoryEvent> History)> Drive(
        Func<IOrchestrationContext, Task<JsonNode?>> orchestrator, string name, string instanceId, JsonNode? input, List<HistoryEvent> history, List<Task<HistoryEvent>> inFlight, CancellationToken cancel)
    {
        List<HistoryEvent> newEvents;
        if (history.Count == 0)
        {
            newEvents = [new OrchestratorStarted(Clock()), new ExecutionStarted(name, input)];
        }
        else
        {
            // Resuming: whatever was scheduled but never completed runs again.
            inFlight.AddRange(Unfinished(history).Select(e => Dispatch(e, cancel)));
            newEvents = inFlight.Count == 0 ? [new OrchestratorStarted(Clock())] : [];
        }

        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            if (newEvents.Count > 0)
            {
                OrchestratorResult result = OrchestrationExecutor.Execute(orchestrator, instanceId, history, newEvents);
                var scheduled = new List<HistoryEvent>();
                foreach (OrchestratorAction action in result.Actions)
                {
                    scheduled.Add(action switch
                    {
                        ScheduleTaskAction a => new TaskScheduled(a.Id, a.Name, a.Input),
                        CreateSubOrchestrationAction a => new SubOrchestrationCreated(a.Id, a.Name, a.InstanceId, a.Input),
                        CreateTimerAction a => new TimerCreated(a.Id, a.FireAt),
                        CompleteOrchestrationAction a => new ExecutionCompleted(a.Result, a.Failure),
                        _ => throw new InvalidOperationException($"unknown action {action}"),
                    });
                }

                // Record before doing: a restart then knows what was asked for.
                History.Append(instanceId, [.. newEvents, .. scheduled]);
                history.AddRange(newEvents);
                history.AddRange(scheduled);
                if (result.Completed)
                {
                    InstanceCompleted?.Invoke(name, instanceId);
                    return (result, history);
                }

                inFlight.AddRange(scheduled.Select(e => Dispatch(e, cancel)));
            }

            if (inFlight.Count == 0)
            {
                throw new InvalidOperationException($"instance {instanceId} is waiting but asked for nothing (an await on something outside the context?)");
            }

            await Task.WhenAny(inFlight);
            newEvents = [new OrchestratorStarted(Clock())];
            foreach (Task<HistoryEvent> t in inFlight.Where(t => t.IsCompleted).ToList())
            {
                inFlight.Remove(t);
                newEvents.Add(await t);
            }
        }
    }

    private static IEnumerable<HistoryEvent> Unfinished(List<HistoryEvent> history)
    {
        var completed = new HashSet<int>();
        foreach (HistoryEvent e in history)
        {
            switch (e)
            {
                case TaskCompleted c: completed.Add(c.ScheduledId); break;
                case TaskFailed c: completed.Add(c.ScheduledId); break;
                case SubOrchestrationCompleted c: completed.Add(c.ScheduledId); break;
                case SubOrchestrationFailed c: completed.Add(c.ScheduledId); break;
                case TimerFired c: completed.Add(c.TimerId); break;
            }
        }

        return history.Where(e => e switch
        {
            TaskScheduled s => !completed.Contains(s.Id),
            SubOrchestrationCreated s => !completed.Contains(s.Id),
            TimerCreated s => !completed.Contains(s.Id),
            _ => false,
        });
    }

    private Task<HistoryEvent> Dispatch(HistoryEvent scheduled, CancellationToken cancel) => scheduled switch
    {
        TaskScheduled s => RunActivity(s, cancel),
        SubOrchestrationCreated s => RunSub(s, cancel),
        TimerCreated s => Fire(s, cancel),
        _ => throw new InvalidOperationException($"{scheduled} is not a scheduling event"),
    };

    private async Task<HistoryEvent> RunActivity(TaskScheduled a, CancellationToken cancel)
    {
        if (!_activities.TryGetValue(a.Name, out var activity))
        {
            return new TaskFailed(a.Id, $"no activity named '{a.Name}'");
        }

        Interlocked.Increment(ref _activitiesRun);
        try
        {
            return new TaskCompleted(a.Id, await Task.Run(() => activity(a.Input?.DeepClone(), cancel), cancel));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new TaskFailed(a.Id, e.Message);
        }
    }

    private async Task<HistoryEvent> RunSub(SubOrchestrationCreated a, CancellationToken cancel)
    {
        try
        {
            var (result, _) = await RunAsync(a.Name, a.InstanceId, a.Input, cancel);
            return result.Failure is null ? new SubOrchestrationCompleted(a.Id, result.Output) : new SubOrchestrationFailed(a.Id, result.Failure);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new SubOrchestrationFailed(a.Id, e.Message);
        }
    }

    private async Task<HistoryEvent> Fire(TimerCreated a, CancellationToken cancel)
    {
        TimeSpan wait = a.FireAt - Clock();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancel);
        }

        return new TimerFired(a.Id);
    }
}
