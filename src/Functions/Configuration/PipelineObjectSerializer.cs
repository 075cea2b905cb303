using System.Text;
using Azure.Core.Serialization;
using PaDeLLM.Orchestrations;

namespace PaDeLLM.Functions.Configuration;

/// <summary>
/// The worker's serializer as <see cref="PipelineDataConverter"/>. The Durable extension takes
/// no DataConverter of its own: it wraps the worker's <see cref="ObjectSerializer"/> (for
/// orchestration inputs and outputs, activity inputs and results alike), so this is how the
/// pipeline's converter becomes Durable's, and histories hold exactly the contracts' JSON.
/// </summary>
public sealed class PipelineObjectSerializer : ObjectSerializer
{
    public static readonly PipelineObjectSerializer Instance = new();

    public override object? Deserialize(Stream stream, Type returnType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        return PipelineDataConverter.Instance.Deserialize(reader.ReadToEnd(), returnType);
    }

    public override async ValueTask<object?> DeserializeAsync(
        Stream stream, Type returnType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        string json = await reader.ReadToEndAsync(cancellationToken);
        return PipelineDataConverter.Instance.Deserialize(json, returnType);
    }

    public override void Serialize(Stream stream, object? value, Type inputType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Bytes(value));
    }

    public override async ValueTask SerializeAsync(
        Stream stream, object? value, Type inputType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await stream.WriteAsync(Bytes(value), cancellationToken);
    }

    private static byte[] Bytes(object? value) =>
        Encoding.UTF8.GetBytes(PipelineDataConverter.Instance.Serialize(value) ?? "null");
}
