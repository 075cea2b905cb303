using System.Text.Json.Serialization;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.Contracts.Wire;

/// <summary>
/// An extraction instance in Durable Functions' status shape, as
/// <c>padellm serve</c>'s status URL answers (the Function app's is Durable's own).
/// </summary>
public sealed record PipelineStatus(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("instanceId")] string InstanceId,
    [property: JsonPropertyName("runtimeStatus")] string RuntimeStatus,
    [property: JsonPropertyName("output")] ResultDocument? Output,
    [property: JsonPropertyName("failure")] string? Failure,
    [property: JsonPropertyName("createdTime")] DateTime CreatedTime,
    [property: JsonPropertyName("lastUpdatedTime")] DateTime LastUpdatedTime);

/// <summary>The answer to an accepted start: the instance and where to ask about it.</summary>
public sealed record PipelineAccepted(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("statusQueryGetUri")] string StatusQueryGetUri);
