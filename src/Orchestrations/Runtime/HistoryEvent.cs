using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace PaDeLLM.Orchestrations.Runtime;

/// <summary>
/// What happened to an orchestration instance, in order — the durable model's source of truth.
/// Ids tie a scheduling event to its completion; they are the order in which the orchestrator
/// asked for things, which is why orchestrator code must be deterministic.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ExecutionStarted), "ExecutionStarted")]
[JsonDerivedType(typeof(OrchestratorStarted), "OrchestratorStarted")]
[JsonDerivedType(typeof(TaskScheduled), "TaskScheduled")]
[JsonDerivedType(typeof(TaskCompleted), "TaskCompleted")]
[JsonDerivedType(typeof(TaskFailed), "TaskFailed")]
[JsonDerivedType(typeof(SubOrchestrationCreated), "SubOrchestrationCreated")]
[JsonDerivedType(typeof(SubOrchestrationCompleted), "SubOrchestrationCompleted")]
[JsonDerivedType(typeof(SubOrchestrationFailed), "SubOrchestrationFailed")]
[JsonDerivedType(typeof(TimerCreated), "TimerCreated")]
[JsonDerivedType(typeof(TimerFired), "TimerFired")]
[JsonDerivedType(typeof(ExecutionCompleted), "ExecutionCompleted")]
public abstract record HistoryEvent;

/// <summary>The instance began, with its name and input.</summary>
public sealed record ExecutionStarted(string Name, JsonNode? Input) : HistoryEvent;

/// <summary>A replay episode began at this time; <see cref="IOrchestrationContext.CurrentUtcDateTime"/> reads it.</summary>
public sealed record OrchestratorStarted(DateTime Timestamp) : HistoryEvent;

public sealed record TaskScheduled(int Id, string Name, JsonNode? Input) : HistoryEvent;

public sealed record TaskCompleted(int ScheduledId, JsonNode? Result) : HistoryEvent;

public sealed record TaskFailed(int ScheduledId, string Error) : HistoryEvent;

public sealed record SubOrchestrationCreated(int Id, string Name, string InstanceId, JsonNode? Input) : HistoryEvent;

public sealed record SubOrchestrationCompleted(int ScheduledId, JsonNode? Result) : HistoryEvent;

public sealed record SubOrchestrationFailed(int ScheduledId, string Error) : HistoryEvent;

public sealed record TimerCreated(int Id, DateTime FireAt) : HistoryEvent;

public sealed record TimerFired(int TimerId) : HistoryEvent;

public sealed record ExecutionCompleted(JsonNode? Result, string? Failure) : HistoryEvent;
