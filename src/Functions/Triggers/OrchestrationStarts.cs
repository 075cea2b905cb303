using DurableTask.Core.Exceptions;
using Grpc.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace PaDeLLM.Functions.Triggers;

/// <summary>
/// Starting an orchestration at most once per instance id, so that a trigger delivered twice
/// (blob and queue triggers are at-least-once) does not run its work twice. An instance that
/// failed or was terminated is started again: that is what a retry of its trigger asks for.
/// </summary>
internal static class OrchestrationStarts
{
    /// <summary>Null when this call scheduled it; else the status of the instance already there.</summary>
    public static async Task<OrchestrationRuntimeStatus?> StartOnceAsync(
        DurableTaskClient client, TaskName orchestration, string instanceId, object input, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(client);
        OrchestrationMetadata? existing = await client.GetInstanceAsync(instanceId, cancel);
        if (existing is not null && !MayRestart(existing.RuntimeStatus))
        {
            return existing.RuntimeStatus;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                orchestration, input, new StartOrchestrationOptions(instanceId), cancel);
            return null;
        }
        catch (Exception e) when (IsAlreadyExists(e))
        {
            return OrchestrationRuntimeStatus.Running; // another delivery of the same trigger won the race
        }
    }

    public static bool MayRestart(OrchestrationRuntimeStatus status) =>
        status is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;

    /// <summary>How the gRPC client reports a running instance with the id (by exception or by status code).</summary>
    public static bool IsAlreadyExists(Exception e) =>
        e is OrchestrationAlreadyExistsException or RpcException { StatusCode: StatusCode.AlreadyExists };
}
