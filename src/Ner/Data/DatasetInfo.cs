using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Ner.Data;

/// <summary>
/// One dataset under the data directory: its schema, where its PaDeLLM JSON-lines and
/// column files live relative to that directory, and how to read each.
/// </summary>
public sealed record DatasetInfo(string Name, LabelSchema Schema)
{
    /// <summary>Offset convention of the PaDeLLM JSON-lines files, or null when the dataset has none (MSRA).</summary>
    public OffsetConvention? PadellmOffsets { get; init; }

    public ColumnFormat? Columns { get; init; }

    /// <summary>Column file per split, relative to the data directory.</summary>
    public IReadOnlyDictionary<DatasetSplit, string> ColumnFiles { get; init; } =
        new Dictionary<DatasetSplit, string>();

    public bool HasPadellm => PadellmOffsets is not null;

    public string PadellmPath(string dataDir, DatasetSplit split) =>
        Path.Combine(dataDir, "padellm", Name, split.Name() + ".json");

    public string? ColumnPath(string dataDir, DatasetSplit split) =>
        ColumnFiles.TryGetValue(split, out string? rel) ? Path.Combine(dataDir, "columns", rel) : null;

    /// <summary>Reads a split: the PaDeLLM JSON-lines file when the dataset has one, else its column file.</summary>
    public List<Sentence> Read(string dataDir, DatasetSplit split, ReadOptions? options = null,
        ReadReport? report = null)
    {
        options ??= ReadOptions.Strict with { Schema = Schema };
        if (PadellmOffsets is { } offsets)
        {
            return PadellmJsonReader.ReadFile(PadellmPath(dataDir, split), offsets, options, report);
        }

        return ReadColumns(dataDir, split, options, report);
    }

    public List<Sentence> ReadColumns(string dataDir, DatasetSplit split, ReadOptions? options = null,
        ReadReport? report = null)
    {
        string path = ColumnPath(dataDir, split)
            ?? throw new FormatException($"dataset '{Name}' has no column file for split '{split.Name()}'");
        return ColumnReader.ReadFile(path, Columns!, options ?? ReadOptions.Strict with { Schema = Schema }, report);
    }

    public IEnumerable<DatasetSplit> Splits =>
        HasPadellm ? [DatasetSplit.Train, DatasetSplit.Dev] : ColumnFiles.Keys.Order();
}
