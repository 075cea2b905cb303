using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Model.Checkpoints;

/// <summary>
/// A memory-mapped .safetensors file: an 8-byte little-endian header length N, N bytes of
/// JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, then the
/// data. Everything in the header is checked before any tensor is touched — header length
/// within the file, offsets inside the data section, dtype × shape = byte length, no two
/// tensors overlapping — so a bad file is a <see cref="CheckpointException"/>, never a read
/// out of range.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L << 20;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly long _dataStart;
    private readonly Dictionary<string, TensorInfo> _tensors;
    private bool _disposed;

    private SafetensorsFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePtr,
        long dataStart, Dictionary<string, TensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _map = map;
        _view = view;
        _base = basePtr;
        _dataStart = dataStart;
        _tensors = tensors;
        Metadata = metadata;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IEnumerable<TensorInfo> Tensors => _tensors.Values;

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new CheckpointException($"{path}: file not found");
        }

        long fileLength;
        try
        {
            fileLength = new FileInfo(path).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: cannot open: {e.Message}", e);
        }

        if (fileLength < 8)
        {
            throw new CheckpointException($"{path}: truncated: {fileLength} bytes, shorter than the "
                + $"8-byte header length");
        }

        MemoryMappedFile map;
        try
        {
            map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: cannot map: {e.Message}", e);
        }

        MemoryMappedViewAccessor view = map.CreateViewAccessor(0, fileLength, MemoryMappedFileAccess.Read);
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        p += view.PointerOffset;
        try
        {
            (long dataStart, var tensors, var metadata) =
                ParseHeader(new ReadOnlySpan<byte>(p, (int)Math.Min(fileLength, int.MaxValue)), fileLength, path);
            return new SafetensorsFile(path, map, view, p, dataStart, tensors, metadata);
        }
        catch
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            map.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public TensorInfo Info(string name) =>
        _tensors.TryGetValue(name, out TensorInfo? t) ? t
            : throw new CheckpointException($"{Path}: missing tensor '{name}'");

    /// <summary>Pointer to a tensor's bytes; valid while this file is open.</summary>
    public void* Pointer(TensorInfo t)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _base + _dataStart + t.Begin;
    }

    public ReadOnlySpan<byte> Bytes(TensorInfo t) => new(Pointer(t), checked((int)t.ByteLength));

    /// <summary>A tensor converted to F32 (F16 and BF16 widen exactly; F64 rounds).</summary>
    public float[] ReadSingle(string name)
    {
        TensorInfo t = Info(name);
        var result = new float[t.ElementCount];
        void* p = Pointer(t);
        switch (t.Type)
        {
            case DType.F32: new ReadOnlySpan<float>(p, result.Length).CopyTo(result); break;
            case DType.BF16: BFloat16.ToSingle(new ReadOnlySpan<ushort>(p, result.Length), result); break;
            case DType.F16:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = (float)((Half*)p)[i];
                }

                break;
            case DType.F64:
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] = (float)((double*)p)[i];
                }

                break;
            default:
                throw new CheckpointException($"{Path}: tensor '{name}' is {t.Type.Name()}, not a "
                    + $"floating-point type");
        }

        return result;
    }

    internal static (long DataStart, Dictionary<string, TensorInfo> Tensors,
        Dictionary<string, string> Metadata) ParseHeader(ReadOnlySpan<byte> file, long fileLength, string path)
    {
        ulong headerLength = BitConverter.ToUInt64(file[..8]);
        if (headerLength > MaxHeaderBytes)
        {
            throw new CheckpointException($"{path}: header length {headerLength} exceeds the {MaxHeaderBytes >> 20} "
                + $"MiB limit (not a safetensors file?)");
        }

        if (8 + (long)headerLength > fileLength)
        {
            throw new CheckpointException($"{path}: header length {headerLength} runs past the end of the "
                + $"{fileLength}-byte file (truncated?)");
        }

        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(file.Slice(8, (int)headerLength).ToArray());
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{path}: header is not valid JSON: {e.Message}", e);
        }

        var tensors = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException($"{path}: header must be a JSON object");
            }

            foreach (JsonProperty prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw new CheckpointException($"{path}: __metadata__ must be an object of strings");
                    }

                    foreach (JsonProperty m in prop.Value.EnumerateObject())
                    {
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String
                            ? m.Value.GetString()!
                            : throw new CheckpointException($"{path}: __metadata__.{m.Name} must be a string");
                    }

                    continue;
                }

                tensors[prop.Name] = ParseTensor(prop, dataLength, path);
            }
        }

        // Tensors may not share bytes.
        TensorInfo? previous = null;
        foreach (TensorInfo t in tensors.Values.Where(t => t.ByteLength > 0).OrderBy(t => t.Begin))
        {
            if (previous is not null && t.Begin < previous.End)
            {
                throw new CheckpointException($"{path}: tensors '{previous.Name}' [{previous.Begin}, {previous.End}) "
                    + $"and '{t.Name}' [{t.Begin}, {t.End}) overlap");
            }

            previous = t;
        }

        return (dataStart, tensors, metadata);
    }

    private static TensorInfo ParseTensor(JsonProperty prop, long dataLength, string path)
    {
        string where = $"{path}: tensor '{prop.Name}'";
        JsonElement e = prop.Value;
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointException($"{where}: entry must be an object");
        }

        if (!e.TryGetProperty("dtype", out JsonElement dt) || dt.ValueKind != JsonValueKind.String)
        {
            throw new CheckpointException($"{where}: missing dtype");
        }

        if (!DTypes.TryParse(dt.GetString()!, out DType type))
        {
            throw new CheckpointException($"{where}: unsupported dtype '{dt.GetString()}'");
        }

        if (!e.TryGetProperty("shape", out JsonElement sh) || sh.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointException($"{where}: missing shape");
        }

        var shape = new long[sh.GetArrayLength()];
        int d = 0;
        foreach (JsonElement s in sh.EnumerateArray())
        {
            if (s.ValueKind != JsonValueKind.Number || !s.TryGetInt64(out long v) || v < 0)
            {
                throw new CheckpointException($"{where}: shape entries must be non-negative integers");
            }

            shape[d++] = v;
        }

        if (!e.TryGetProperty("data_offsets", out JsonElement off) || off.ValueKind != JsonValueKind.Array
            || off.GetArrayLength() != 2
            || off[0].ValueKind != JsonValueKind.Number || off[1].ValueKind != JsonValueKind.Number
            || !off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end))
        {
            throw new CheckpointException($"{where}: data_offsets must be [begin, end]");
        }

        if (begin < 0 || end < begin || end > dataLength)
        {
            throw new CheckpointException($"{where}: data_offsets [{begin}, {end}] are outside the "
                + $"{dataLength}-byte data section");
        }

        long elements;
        try
        {
            elements = shape.Aggregate(1L, (a, b) => checked(a * b));
        }
        catch (OverflowException)
        {
            throw new CheckpointException($"{where}: shape [{string.Join(", ", shape)}] is too large");
        }

        if (elements * type.Size() != end - begin)
        {
            throw new CheckpointException($"{where}: {type.Name()} [{string.Join(", ", shape)}] needs "
                + $"{elements * type.Size()} bytes but data_offsets give {end - begin}");
        }

        return new TensorInfo(prop.Name, type, shape, begin, end);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _view?.SafeMemoryMappedViewHandle.ReleasePointer();
        _view?.Dispose();
        _map?.Dispose();
    }
}
