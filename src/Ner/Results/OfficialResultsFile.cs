using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Data;

namespace PaDeLLM.Ner.Results;

/// <summary>Reads and writes the paper's results files (a JSON array of <see cref="OfficialRecord"/>).</summary>
public static class OfficialResultsFile
{
    public static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static List<OfficialRecord> Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, 0, null, $"cannot read: {e.Message}");
        }

        return Parse(bytes, path);
    }

    public static List<OfficialRecord> Parse(ReadOnlySpan<byte> utf8, string source)
    {
        if (utf8.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new DataFormatException(source, 0, null, "file is empty");
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new DataFormatException(source, (int)(e.LineNumber ?? -1) + 1, null, $"malformed JSON: {e.Message}");
        }

        if (root is not JsonArray array)
        {
            throw new DataFormatException(source, 0, null, "expected a JSON array of records");
        }

        var records = new List<OfficialRecord>(array.Count);
        for (int i = 0; i < array.Count; i++)
        {
            try
            {
                records.Add(ParseRecord(array[i], source, i + 1));
            }
            catch (InvalidOperationException)
            {
                // A property name (a label) that is not valid Unicode: System.Text.Json throws on reading it.
                throw new DataFormatException(source, 0, $"record {i + 1}", JsonStrings.UnpairedSurrogate);
            }
        }

        return records;
    }

    public static void Save(IEnumerable<JsonObject> records, string path)
    {
        var array = new JsonArray(records.Select(r => (JsonNode)r.DeepClone()).ToArray());
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        File.WriteAllText(path, array.ToJsonString(WriteOptions) + "\n");
    }

    private static OfficialRecord ParseRecord(JsonNode? node, string source, int index)
    {
        string where = $"record {index}";
        if (node is not JsonObject obj)
        {
            throw new DataFormatException(source, 0, where, "is not a JSON object");
        }

        string text = obj["texts"] is JsonValue tv && JsonStrings.TryGet(tv, out string? t)
            ? t ?? throw new DataFormatException(source, 0, where + ".texts", JsonStrings.UnpairedSurrogate)
            : throw new DataFormatException(source, 0, where + ".texts", "missing or not a string");

        var predicted = new List<LabelPredictions>();
        if (obj["pred"] is not JsonObject pred)
        {
            throw new DataFormatException(source, 0, where + ".pred", "missing or not an object");
        }

        foreach ((string label, JsonNode? list) in pred)
        {
            if (list is not JsonArray items)
            {
                throw new DataFormatException(source, 0, $"{where}.pred.{label}", "is not an array");
            }

            var mentions = new List<ScoredMention>(items.Count);
            for (int j = 0; j < items.Count; j++)
            {
                if (items[j] is not JsonArray { Count: 2 } pair
                    || pair[0] is not JsonValue mv || !JsonStrings.TryGet(mv, out string? mention)
                    || pair[1] is not JsonValue pv || !pv.TryGetValue(out double prob))
                {
                    throw new DataFormatException(source, 0, $"{where}.pred.{label}[{j}]",
                        "expected [mention, probability]");
                }

                mentions.Add(new ScoredMention(mention
                    ?? throw new DataFormatException(source, 0, $"{where}.pred.{label}[{j}]",
                    JsonStrings.UnpairedSurrogate), prob));
            }

            predicted.Add(new LabelPredictions(label, mentions));
        }

        var gold = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (obj["gt"] is not JsonObject gt)
        {
            throw new DataFormatException(source, 0, where + ".gt", "missing or not an object");
        }

        foreach ((string label, JsonNode? list) in gt)
        {
            if (list is not JsonArray items)
            {
                throw new DataFormatException(source, 0, $"{where}.gt.{label}", "is not an array");
            }

            var strings = new List<string>(items.Count);
            for (int j = 0; j < items.Count; j++)
            {
                strings.Add(items[j] is JsonValue v && JsonStrings.TryGet(v, out string? s)
                    ? s ?? throw new DataFormatException(source, 0, $"{where}.gt.{label}[{j}]",
                        JsonStrings.UnpairedSurrogate)
                    : throw new DataFormatException(source, 0, $"{where}.gt.{label}[{j}]", "is not a string"));
            }

            gold[label] = strings;
        }

        return new OfficialRecord(obj, text, predicted, gold);
    }
}
