using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.DurableTask;
using PaDeLLM.Contracts;

namespace PaDeLLM.Orchestrations;

/// <summary>
/// Durable's payloads (inputs, outputs, activity results) through the pipeline's one
/// source-generated JSON context, so histories hold exactly the JSON of the contracts.
/// </summary>
public sealed class PipelineDataConverter : DataConverter
{
    public static readonly PipelineDataConverter Instance = new();

    private static readonly JsonSerializerOptions Options = new(PipelineJson.Default.Options)
    {
        // Types outside the context (none today) still serialize, by reflection.
        TypeInfoResolver = JsonTypeInfoResolver.Combine(PipelineJson.Default, new DefaultJsonTypeInfoResolver()),
    };

    public override string? Serialize(object? value) =>
        value is null ? null : JsonSerializer.Serialize(value, value.GetType(), Options);

    public override object? Deserialize(string? data, Type targetType) =>
        data is null ? null : JsonSerializer.Deserialize(data, targetType, Options);
}
