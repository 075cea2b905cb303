using System.Text.Json;

namespace PaDeLLM.Tokenizers.HuggingFace;

/// <summary>Small readers for tokenizer.json components, each failing with the component path.</summary>
internal static class JsonParts
{
    public static string Type(JsonElement e, string where) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out JsonElement t)
            && t.ValueKind == JsonValueKind.String
            ? t.GetString()!
            : throw new TokenizerException($"{where}: missing \"type\"");

    public static string String(JsonElement e, string name, string where) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
            : throw new TokenizerException($"{where}: missing string \"{name}\"");

    public static bool Bool(JsonElement e, string name, bool fallback) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean() : fallback;

    public static int Int(JsonElement e, string name, int fallback) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : fallback;

    public static IEnumerable<JsonElement> Array(JsonElement e, string name, string where) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray()
            : throw new TokenizerException($"{where}: missing array \"{name}\"");

    /// <summary>A pattern {"String": "…"} (literal) or {"Regex": "…"}.</summary>
    public static (string Text, bool IsRegex) Pattern(JsonElement e, string where)
    {
        if (e.TryGetProperty("pattern", out JsonElement p) && p.ValueKind == JsonValueKind.Object)
        {
            if (p.TryGetProperty("String", out JsonElement s) && s.ValueKind == JsonValueKind.String)
            {
                return (s.GetString()!, false);
            }

            if (p.TryGetProperty("Regex", out JsonElement r) && r.ValueKind == JsonValueKind.String)
            {
                return (r.GetString()!, true);
            }
        }

        throw new TokenizerException($"{where}: pattern must be {{\"String\": …}} or {{\"Regex\": …}}");
    }
}
