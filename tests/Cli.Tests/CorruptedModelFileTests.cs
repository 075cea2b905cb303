using System.Text.Json.Nodes;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Cli.Tests;

/// <summary>
/// Each corrupted model file gets one error line naming the file and the field, and exit code 2
/// (never a stack trace, an out-of-memory abort, or a model that quietly computes NaN).
/// </summary>
public class CorruptedModelFileTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        { "config.json", "null", "must be a JSON object" },
        { "config.json", "[]", "must be a JSON object" },
        { "config.json", "architectures=[1]", "'architectures'" },
        { "config.json", "num_hidden_layers=2147483647", "'num_hidden_layers'" },
        { "config.json", "num_hidden_layers=9", "model.layers.6" }, // the shipped model has layers 0–5
        { "config.json", "hidden_size=1073741824", "'hidden_size'" },
        { "config.json", "vocab_size=2147483647", "'vocab_size'" },
        { "config.json", "rope_theta=0", "'rope_theta'" },
        { "config.json", "rope_theta=-5", "'rope_theta'" },
        { "config.json", "rms_norm_eps=-1", "'rms_norm_eps'" },
        { "config.json", "eos_token_id=99999", "outside the vocabulary" },
        { "tokenizer.json", "null", "must be a JSON object" },
        { "tokenizer.json", "model=[]", "wrong JSON type" },
        { "tokenizer.json", "no end token", "no end-of-sequence token" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Extract_on_a_corrupted_file_exits_2_with_one_line_naming_the_file_and_field(
        string file, string corruption, string expected)
    {
        using var dir = new TempDir();
        string model = Path.Combine(dir.Path, "model");
        Directory.CreateDirectory(model);
        foreach (string f in Directory.GetFiles(Path.Combine(SharedData.RepoRoot, "models", "conll03-en")))
        {
            File.Copy(f, Path.Combine(model, Path.GetFileName(f)));
        }

        string path = Path.Combine(model, file);
        File.WriteAllText(path, Corrupt(File.ReadAllText(path), corruption));

        (int exit, string stdout, string stderr) =
            CliRunner.Run("extract", "--model", model, "--text", "EU rejects it .");

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one error line, got:\n{stderr}");
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.True(
            lines[0].Contains(file, StringComparison.Ordinal) || lines[0].Contains(model, StringComparison.Ordinal),
            $"the error does not name the file: {lines[0]}");
    }

    private static string Corrupt(string json, string corruption)
    {
        if (corruption is "null" or "[]")
        {
            return corruption;
        }

        JsonObject root = JsonNode.Parse(json)!.AsObject();
        if (corruption == "no end token")
        {
            // Drop </s> from the vocabulary and the added tokens: nothing can end a sequence.
            root["added_tokens"] = new JsonArray(root["added_tokens"]!.AsArray()
                .Where(t => (string?)t!["content"] != "</s>").Select(t => t!.DeepClone()).ToArray());
            root["model"]!["vocab"]!.AsObject().Remove("</s>");
            return root.ToJsonString();
        }

        string[] kv = corruption.Split('=', 2);
        root[kv[0]] = JsonNode.Parse(kv[1]);
        return root.ToJsonString();
    }
}
