using PaDeLLM.Orchestrations;

namespace PaDeLLM.Worker;

/// <summary>
/// DurableTask.Core's client writes inputs with Newtonsoft by default, which ignores the
/// contracts' JSON names; this makes it write the pipeline's JSON, the same as the shims read.
/// </summary>
internal sealed class CoreDataConverter : DurableTask.Core.Serializing.DataConverter
{
    public static readonly CoreDataConverter Instance = new();

    public override string Serialize(object value) => PipelineDataConverter.Instance.Serialize(value) ?? "null";

    public override string Serialize(object value, bool formatted) => Serialize(value);

    public override object Deserialize(string data, Type objectType) =>
        PipelineDataConverter.Instance.Deserialize(data, objectType)!;
}
