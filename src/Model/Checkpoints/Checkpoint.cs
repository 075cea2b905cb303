using System.Text.Json;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Model.Checkpoints;

/// <summary>
/// The tensors of a checkpoint directory: <c>model.safetensors</c>, or the shards named by
/// <c>model.safetensors.index.json</c>'s weight_map.
/// </summary>
public sealed unsafe class Checkpoint : IDisposable
{
    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, SafetensorsFile> _owner;

    private readonly string _directory;

    private Checkpoint(List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> owner, string directory)
    {
        _files = files;
        _owner = owner;
        _directory = directory;
    }

    public IEnumerable<string> Names => _owner.Keys;

    public static Checkpoint Open(string directory)
    {
        string single = Path.Combine(directory, "model.safetensors");
        string index = Path.Combine(directory, "model.safetensors.index.json");
        var files = new List<SafetensorsFile>();
        var owner = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            if (System.IO.File.Exists(index))
            {
                Dictionary<string, string> map = ReadIndex(index);
                foreach (string shard in map.Values.Distinct())
                {
                    if (shard.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(shard))
                    {
                        throw new CheckpointException(
                            $"{index}: shard '{shard}' must be a file name inside the checkpoint directory");
                    }

                    files.Add(SafetensorsFile.Open(Path.Combine(directory, shard)));
                }

                foreach ((string name, string shard) in map)
                {
                    SafetensorsFile f = files.First(x => Path.GetFileName(x.Path) == Path.GetFileName(shard));
                    if (!f.Contains(name))
                    {
                        throw new CheckpointException(
                            $"{index}: tensor '{name}' is mapped to {shard}, which does not contain it");
                    }

                    owner[name] = f;
                }
            }
            else if (System.IO.File.Exists(single))
            {
                SafetensorsFile f = SafetensorsFile.Open(single);
                files.Add(f);
                foreach (TensorInfo t in f.Tensors)
                {
                    owner[t.Name] = f;
                }
            }
            else
            {
                throw new CheckpointException($"{directory}: no model.safetensors or model.safetensors.index.json");
            }
        }
        catch
        {
            foreach (SafetensorsFile f in files)
            {
                f.Dispose();
            }

            throw;
        }

        return new Checkpoint(files, owner, directory);
    }

    public bool Contains(string name) => _owner.ContainsKey(name);

    public TensorInfo Info(string name) => FileOf(name).Info(name);

    public float[] ReadSingle(string name) => FileOf(name).ReadSingle(name);

    /// <summary>
    /// A 2-D F32 or BF16 tensor as a <see cref="Weight"/> pointing into the mapped file, checked against the
    /// expected shape.
    /// </summary>
    public Weight Matrix(string name, int rows, int cols)
    {
        SafetensorsFile f = FileOf(name);
        TensorInfo t = f.Info(name);
        if (t.Shape.Length != 2 || t.Shape[0] != rows || t.Shape[1] != cols)
        {
            throw new CheckpointException(
                $"{f.Path}: tensor '{name}' has shape {t.ShapeText}, expected [{rows}, {cols}]");
        }

        if (t.Type is not (DType.F32 or DType.BF16))
        {
            throw new CheckpointException(
                $"{f.Path}: tensor '{name}' is {t.Type.Name()}; matrices must be F32 or BF16");
        }

        return new Weight(f.Pointer(t), t.Type, rows, cols);
    }

    /// <summary>A 1-D tensor as F32, checked against the expected length.</summary>
    public float[] Vector(string name, int length)
    {
        TensorInfo t = Info(name);
        if (t.Shape.Length != 1 || t.Shape[0] != length)
        {
            throw new CheckpointException(
                $"{FileOf(name).Path}: tensor '{name}' has shape {t.ShapeText}, expected [{length}]");
        }

        return ReadSingle(name);
    }

    public void Dispose()
    {
        foreach (SafetensorsFile f in _files)
        {
            f.Dispose();
        }
    }

    private SafetensorsFile FileOf(string name) =>
        _owner.TryGetValue(name, out SafetensorsFile? f) ? f : throw new CheckpointException(
            $"{_directory}: the checkpoint has no tensor '{name}' (config.json names more than the weights hold)");

    private static Dictionary<string, string> ReadIndex(string path)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
            if (!doc.RootElement.TryGetProperty("weight_map", out JsonElement map)
                || map.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException($"{path}: missing weight_map");
            }

            return map.EnumerateObject().ToDictionary(
                p => p.Name,
                p => p.Value.ValueKind == JsonValueKind.String
                    ? p.Value.GetString()!
                    : throw new CheckpointException($"{path}: weight_map.{p.Name} must be a file name"));
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{path}: not valid JSON: {e.Message}", e);
        }
    }
}
