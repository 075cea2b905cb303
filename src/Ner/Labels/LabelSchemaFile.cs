using System.Text.Json;

namespace PaDeLLM.Ner.Labels;

/// <summary>
/// A user-defined schema from a small JSON file:
/// <c>{"name": "mytask", "language": "en", "labels": ["PER", {"key": "ORG", "prompt": "organisation"}]}</c>.
/// A bare string is a label whose prompt name is its key.
/// </summary>
public static class LabelSchemaFile
{
    /// <summary>The name of a model directory's own schema file (written by <c>padellm train</c>).</summary>
    public const string ModelFileName = "labels.json";

    /// <summary>The schema a model directory carries in its labels.json, or null when it has none.</summary>
    public static LabelSchema? ForModel(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, ModelFileName);
        return File.Exists(path) ? Load(path) : null;
    }

    public static LabelSchema Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{path}: cannot read the label schema: {e.Message}", e);
        }

        return Parse(json, path);
    }

    public static LabelSchema Parse(string json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: line {e.LineNumber + 1}: malformed JSON: {e.Message}", e);
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{source}: a label schema must be a JSON object");
            }

            string name = root.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String
                ? n.GetString()!
                : Path.GetFileNameWithoutExtension(source);
            PromptLanguage language = PromptLanguage.English;
            if (root.TryGetProperty("language", out JsonElement lang))
            {
                if (lang.ValueKind != JsonValueKind.String)
                {
                    throw new FormatException($"{source}: field 'language' must be a string");
                }

                language = PromptLanguageNames.Parse(lang.GetString()!, $"{source}: field 'language'");
            }

            if (!root.TryGetProperty("labels", out JsonElement labels) || labels.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{source}: field 'labels' is missing or is not an array");
            }

            var list = new List<EntityLabel>();
            int index = 0;
            foreach (JsonElement item in labels.EnumerateArray())
            {
                index++;
                switch (item.ValueKind)
                {
                    case JsonValueKind.String:
                        list.Add(new EntityLabel(item.GetString()!, item.GetString()!));
                        break;
                    case JsonValueKind.Object:
                        string key = item.TryGetProperty("key", out JsonElement k)
                            && k.ValueKind == JsonValueKind.String
                            ? k.GetString()!
                            : throw new FormatException($"{source}: labels[{index}]: field 'key' is "
                                + $"missing or not a string");
                        string prompt = item.TryGetProperty("prompt", out JsonElement p)
                            && p.ValueKind == JsonValueKind.String
                            ? p.GetString()!
                            : key;
                        list.Add(new EntityLabel(key, prompt));
                        break;
                    default:
                        throw new FormatException($"{source}: labels[{index}] must be a string or an object with "
                            + $"'key' and 'prompt'");
                }
            }

            try
            {
                return new LabelSchema(name, language, list);
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"{source}: {e.Message}", e);
            }
        }
    }
}
