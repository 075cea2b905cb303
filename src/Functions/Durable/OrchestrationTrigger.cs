using System.Text.Json.Nodes;
using Google.Protobuf;
using PaDeLLM.Orchestrations;
using PaDeLLM.Orchestrations.Runtime;
using P = PaDeLLM.Functions.Durable.Protocol;

namespace PaDeLLM.Functions.Durable;

/// <summary>
/// The orchestration trigger of the out-of-process protocol: decode the base64
/// <c>OrchestratorRequest</c>, replay the orchestrator over past + new events with the same
/// executor the in-process backend uses, and answer the episode's new actions as a base64
/// <c>OrchestratorResponse</c>. A history the code no longer matches fails the instance with a
/// NonDeterminismException naming the mismatch, rather than doing something else silently.
/// </summary>
public sealed class OrchestrationTrigger(IReadOnlyDictionary<string, Func<IOrchestrationContext, Task<JsonNode?>>> orchestrators)
{
    public string Handle(string base64Request)
    {
        P.OrchestratorRequest request;
        try
        {
            request = P.OrchestratorRequest.Parser.ParseFrom(Convert.FromBase64String(base64Request));
        }
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
        {
            throw new ArgumentException($"the orchestration trigger's payload is not a base64 OrchestratorRequest: {e.Message}", e);
        }

        return Convert.ToBase64String(Handle(request).ToByteArray());
    }

    public P.OrchestratorResponse Handle(P.OrchestratorRequest request)
    {
        var response = new P.OrchestratorResponse { InstanceId = request.InstanceId };
        List<HistoryEvent> past, added;
        try
        {
            past = ProtocolHistory.ToHistory(request.PastEvents);
            added = ProtocolHistory.ToHistory(request.NewEvents);
        }
        catch (Exception e) when (e is NotSupportedException or System.Text.Json.JsonException)
        {
            response.Actions.Add(Complete(past: null, ProtocolHistory.Failed(e.GetType().Name, e.Message)));
            return response;
        }

        string? name = past.Concat(added).OfType<ExecutionStarted>().FirstOrDefault()?.Name;
        if (name is null || !orchestrators.TryGetValue(name, out var orchestrator))
        {
            response.Actions.Add(Complete(past, ProtocolHistory.Failed("OrchestratorNotFound", name is null ? "the history has no ExecutionStarted event" : $"no orchestrator named '{name}' in this app")));
            return response;
        }

        try
        {
            OrchestratorResult result = OrchestrationExecutor.Execute(orchestrator, request.InstanceId, past, added);
            response.Actions.AddRange(result.Actions.Select(ProtocolHistory.ToProtocol));
        }
        catch (NonDeterminismException e)
        {
            response.Actions.Add(Complete(past, ProtocolHistory.Failed(nameof(NonDeterminismException), e.Message)));
        }

        return response;
    }

    private static P.OrchestratorAction Complete(List<HistoryEvent>? past, P.CompleteOrchestrationAction complete) => new()
    {
        Id = past?.Count(e => e is TaskScheduled or SubOrchestrationCreated or TimerCreated) ?? 0,
        CompleteOrchestration = complete,
    };
}
