using System.Text.Json.Nodes;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;

namespace PaDeLLM.Functions.Triggers;

/// <summary>
/// Durable's instance-management URLs for an instance (<c>statusQueryGetUri</c> and the rest),
/// written here with their documented names: the extension's own payload class names its
/// properties for Newtonsoft only, and the worker's serializer is the pipeline's snake_case one.
/// </summary>
internal static class StatusUrls
{
    public static JsonObject For(DurableTaskClient client, string instanceId, HttpRequestData? request)
    {
        HttpManagementPayload p = client.CreateHttpManagementPayload(instanceId, request);
        return new JsonObject
        {
            ["id"] = p.Id,
            ["statusQueryGetUri"] = p.StatusQueryGetUri,
            ["sendEventPostUri"] = p.SendEventPostUri,
            ["terminatePostUri"] = p.TerminatePostUri,
            ["purgeHistoryDeleteUri"] = p.PurgeHistoryDeleteUri,
            ["suspendPostUri"] = p.SuspendPostUri,
            ["resumePostUri"] = p.ResumePostUri,
        };
    }
}
