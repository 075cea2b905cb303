using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Model.Checkpoints;

/// <summary>
/// Writes a .safetensors file: tensors in the order added, each 8-byte aligned, header padded with spaces to 8 bytes.
/// </summary>
public sealed class SafetensorsWriter
{
    private readonly List<(string Name, DType Type, long[] Shape, byte[] Data)> _tensors = [];
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);

    public SafetensorsWriter AddMetadata(string key, string value)
    {
        _metadata[key] = value;
        return this;
    }

    public SafetensorsWriter Add(string name, DType type, long[] shape, ReadOnlySpan<byte> data)
    {
        long expected = shape.Aggregate(1L, (a, b) => a * b) * type.Size();
        if (expected != data.Length)
        {
            throw new ArgumentException($"tensor '{name}': {type.Name()} [{string.Join(", ", shape)}] needs {expected} "
                + $"bytes, got {data.Length}");
        }

        if (_tensors.Any(t => t.Name == name))
        {
            throw new ArgumentException($"tensor '{name}' added twice");
        }

        _tensors.Add((name, type, shape, data.ToArray()));
        return this;
    }

    public SafetensorsWriter AddSingle(string name, long[] shape, ReadOnlySpan<float> values) =>
        Add(name, DType.F32, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    public SafetensorsWriter AddBFloat16(string name, long[] shape, ReadOnlySpan<float> values)
    {
        var bits = new ushort[values.Length];
        BFloat16.FromSingle(values, bits);
        return Add(name, DType.BF16, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(bits.AsSpan()));
    }

    public void Save(string path)
    {
        var header = new JsonObject();
        if (_metadata.Count > 0)
        {
            var meta = new JsonObject();
            foreach ((string k, string v) in _metadata)
            {
                meta[k] = v;
            }

            header["__metadata__"] = meta;
        }

        long offset = 0;
        var offsets = new List<long>();
        foreach (var t in _tensors)
        {
            offset = Align(offset);
            offsets.Add(offset);
            header[t.Name] = new JsonObject
            {
                ["dtype"] = t.Type.Name(),
                ["shape"] = new JsonArray(t.Shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + t.Data.Length),
            };
            offset += t.Data.Length;
        }

        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padded = (int)Align(json.Length);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        stream.Write(BitConverter.GetBytes((ulong)padded));
        stream.Write(json);
        for (int i = json.Length; i < padded; i++)
        {
            stream.WriteByte((byte)' ');
        }

        long written = 0;
        for (int i = 0; i < _tensors.Count; i++)
        {
            while (written < offsets[i])
            {
                stream.WriteByte(0);
                written++;
            }

            stream.Write(_tensors[i].Data);
            written += _tensors[i].Data.Length;
        }
    }

    private static long Align(long n) => (n + 7) & ~7L;
}
