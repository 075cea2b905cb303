using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using PaDeLLM.Orchestrations.Runtime;
using P = PaDeLLM.Functions.Durable.Protocol;

namespace PaDeLLM.Functions.Durable;

/// <summary>
/// Maps the Durable protocol's protobuf history onto the runtime's <see cref="HistoryEvent"/>s,
/// and the runtime's actions back onto protobuf actions, so the orchestrators that run in
/// process run unchanged under the Durable extension. Payloads are JSON text both ways.
/// </summary>
public static class ProtocolHistory
{
    public static List<HistoryEvent> ToHistory(IEnumerable<P.HistoryEvent> events)
    {
        var history = new List<HistoryEvent>();
        foreach (P.HistoryEvent e in events)
        {
            HistoryEvent? mapped = e.EventTypeCase switch
            {
                P.HistoryEvent.EventTypeOneofCase.ExecutionStarted => new ExecutionStarted(e.ExecutionStarted.Name, Json(e.ExecutionStarted.Input)),
                P.HistoryEvent.EventTypeOneofCase.OrchestratorStarted => new OrchestratorStarted(e.Timestamp?.ToDateTime() ?? DateTime.UnixEpoch),
                P.HistoryEvent.EventTypeOneofCase.TaskScheduled => new TaskScheduled(e.EventId, e.TaskScheduled.Name, Json(e.TaskScheduled.Input)),
                P.HistoryEvent.EventTypeOneofCase.TaskCompleted => new TaskCompleted(e.TaskCompleted.TaskScheduledId, Json(e.TaskCompleted.Result)),
                P.HistoryEvent.EventTypeOneofCase.TaskFailed => new TaskFailed(e.TaskFailed.TaskScheduledId, Message(e.TaskFailed.FailureDetails)),
                P.HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceCreated => new SubOrchestrationCreated(e.EventId, e.SubOrchestrationInstanceCreated.Name, e.SubOrchestrationInstanceCreated.InstanceId, Json(e.SubOrchestrationInstanceCreated.Input)),
                P.HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceCompleted => new SubOrchestrationCompleted(e.SubOrchestrationInstanceCompleted.TaskScheduledId, Json(e.SubOrchestrationInstanceCompleted.Result)),
                P.HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceFailed => new SubOrchestrationFailed(e.SubOrchestrationInstanceFailed.TaskScheduledId, Message(e.SubOrchestrationInstanceFailed.FailureDetails)),
                P.HistoryEvent.EventTypeOneofCase.TimerCreated => new TimerCreated(e.EventId, e.TimerCreated.FireAt?.ToDateTime() ?? DateTime.UnixEpoch),
                P.HistoryEvent.EventTypeOneofCase.TimerFired => new TimerFired(e.TimerFired.TimerId),
                P.HistoryEvent.EventTypeOneofCase.ExecutionCompleted => new ExecutionCompleted(Json(e.ExecutionCompleted.Result), e.ExecutionCompleted.FailureDetails is null ? null : Message(e.ExecutionCompleted.FailureDetails)),
                P.HistoryEvent.EventTypeOneofCase.OrchestratorCompleted => null, // bookkeeping only
                _ => throw new NotSupportedException($"history event {e.EventId} is of a kind these orchestrators never produce (external events, entities, …)"),
            };
            if (mapped is not null)
            {
                history.Add(mapped);
            }
        }

        return history;
    }

    public static P.OrchestratorAction ToProtocol(OrchestratorAction action)
    {
        var a = new P.OrchestratorAction { Id = action.Id };
        switch (action)
        {
            case ScheduleTaskAction s:
                a.ScheduleTask = new P.ScheduleTaskAction { Name = s.Name, Input = Text(s.Input) };
                break;
            case CreateSubOrchestrationAction s:
                a.CreateSubOrchestration = new P.CreateSubOrchestrationAction { Name = s.Name, InstanceId = s.InstanceId, Input = Text(s.Input) };
                break;
            case CreateTimerAction t:
                a.CreateTimer = new P.CreateTimerAction { FireAt = Timestamp.FromDateTime(DateTime.SpecifyKind(t.FireAt, DateTimeKind.Utc)) };
                break;
            case CompleteOrchestrationAction c:
                a.CompleteOrchestration = c.Failure is null
                    ? new P.CompleteOrchestrationAction { OrchestrationStatus = P.OrchestrationStatus.Completed, Result = Text(c.Result) }
                    : Failed("OrchestrationFailed", c.Failure);
                break;
            default:
                throw new NotSupportedException($"action {action} has no protocol form");
        }

        return a;
    }

    public static P.CompleteOrchestrationAction Failed(string errorType, string message) => new()
    {
        OrchestrationStatus = P.OrchestrationStatus.Failed,
        FailureDetails = new P.TaskFailureDetails { ErrorType = errorType, ErrorMessage = message, IsNonRetriable = true },
    };

    /// <summary>A history event in protocol form (for tests and tools that write histories).</summary>
    public static P.HistoryEvent ToProtocol(HistoryEvent e, int eventId, DateTime timestamp)
    {
        var p = new P.HistoryEvent { EventId = eventId, Timestamp = Timestamp.FromDateTime(DateTime.SpecifyKind(timestamp, DateTimeKind.Utc)) };
        switch (e)
        {
            case ExecutionStarted s: p.ExecutionStarted = new P.ExecutionStartedEvent { Name = s.Name, Input = Text(s.Input) }; break;
            case OrchestratorStarted s: p.OrchestratorStarted = new P.OrchestratorStartedEvent(); p.Timestamp = Timestamp.FromDateTime(DateTime.SpecifyKind(s.Timestamp, DateTimeKind.Utc)); break;
            case TaskScheduled s: p.EventId = s.Id; p.TaskScheduled = new P.TaskScheduledEvent { Name = s.Name, Input = Text(s.Input) }; break;
            case TaskCompleted c: p.TaskCompleted = new P.TaskCompletedEvent { TaskScheduledId = c.ScheduledId, Result = Text(c.Result) }; break;
            case TaskFailed f: p.TaskFailed = new P.TaskFailedEvent { TaskScheduledId = f.ScheduledId, FailureDetails = new P.TaskFailureDetails { ErrorType = "Exception", ErrorMessage = f.Error } }; break;
            case SubOrchestrationCreated s: p.EventId = s.Id; p.SubOrchestrationInstanceCreated = new P.SubOrchestrationInstanceCreatedEvent { Name = s.Name, InstanceId = s.InstanceId, Input = Text(s.Input) }; break;
            case SubOrchestrationCompleted c: p.SubOrchestrationInstanceCompleted = new P.SubOrchestrationInstanceCompletedEvent { TaskScheduledId = c.ScheduledId, Result = Text(c.Result) }; break;
            case SubOrchestrationFailed f: p.SubOrchestrationInstanceFailed = new P.SubOrchestrationInstanceFailedEvent { TaskScheduledId = f.ScheduledId, FailureDetails = new P.TaskFailureDetails { ErrorType = "Exception", ErrorMessage = f.Error } }; break;
            case TimerCreated t: p.EventId = t.Id; p.TimerCreated = new P.TimerCreatedEvent { FireAt = Timestamp.FromDateTime(DateTime.SpecifyKind(t.FireAt, DateTimeKind.Utc)) }; break;
            case TimerFired t: p.TimerFired = new P.TimerFiredEvent { TimerId = t.TimerId }; break;
            case ExecutionCompleted c: p.ExecutionCompleted = new P.ExecutionCompletedEvent { OrchestrationStatus = c.Failure is null ? P.OrchestrationStatus.Completed : P.OrchestrationStatus.Failed, Result = Text(c.Result) }; break;
            default: throw new NotSupportedException(e.ToString());
        }

        return p;
    }

    private static JsonNode? Json(string? text) => string.IsNullOrEmpty(text) ? null : JsonNode.Parse(text);

    private static string? Text(JsonNode? node) => node?.ToJsonString();

    private static string Message(P.TaskFailureDetails? f) => f is null ? "failed" : string.IsNullOrEmpty(f.ErrorType) ? f.ErrorMessage : $"{f.ErrorType}: {f.ErrorMessage}";
}
