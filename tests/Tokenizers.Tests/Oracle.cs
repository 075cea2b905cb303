using System.Text.Json;
using PaDeLLM.Tests;

namespace PaDeLLM.Tokenizers.Tests;

/// <summary>
/// A fixture tokenizer's oracle.json: the ids, pieces and decoded text an established implementation produced.
/// </summary>
internal sealed class Oracle
{
    private Oracle(string name)
    {
        Directory = Path.Combine(SharedData.Fixtures, "tokenizers", name);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "oracle.json")));
        Cases = doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("id").GetString()!,
            c.GetProperty("text").GetString()!,
            Ints(c, "ids")!,
            c.TryGetProperty("decoded", out JsonElement d) ? d.GetString() : null,
            Ints(c, "spm_ids"),
            c.TryGetProperty("spm_decoded", out JsonElement sd) ? sd.GetString() : null,
            Ints(c, "ids_hf_added_tokens"))).ToList();
        DecodeCases = doc.RootElement.GetProperty("decode_cases").EnumerateArray().Select(c => new DecodeCase(
            c.GetProperty("id").GetString()!,
            Ints(c, "ids")!,
            c.TryGetProperty("decoded", out JsonElement d) ? d.GetString() : null,
            c.TryGetProperty("spm_decoded", out JsonElement sd) ? sd.GetString() : null,
            c.TryGetProperty("hf_decoded", out JsonElement hd) ? hd.GetString() : null)).ToList();
    }

    public string Directory { get; }

    public List<Case> Cases { get; }

    public List<DecodeCase> DecodeCases { get; }

    public static Oracle Load(string name)
    {
        var oracle = new Oracle(name);
        if (oracle.Cases.Count < 50 || oracle.DecodeCases.Count < 3)
        {
            throw new InvalidOperationException($"{name}: oracle has only {oracle.Cases.Count} cases and "
                + $"{oracle.DecodeCases.Count} decode cases");
        }

        return oracle;
    }

    private static int[]? Ints(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Select(x => x.GetInt32()).ToArray() : null;

    public sealed record Case(string Id, string Text, int[] Ids, string? Decoded, int[]? SpmIds, string? SpmDecoded,
        int[]? HfAddedTokenIds);

    public sealed record DecodeCase(string Id, int[] Ids, string? Decoded, string? SpmDecoded, string? HfDecoded);
}
