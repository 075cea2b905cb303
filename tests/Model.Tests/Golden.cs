using System.Text.Json;
using PaDeLLM.Tests;

namespace PaDeLLM.Model.Tests;

/// <summary>A fixture model's golden.json (PyTorch reference numbers).</summary>
internal sealed class Golden
{
    private static readonly Dictionary<string, Golden> Cache = [];

    private Golden(string directory)
    {
        Directory = directory;
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "golden.json")));
        JsonElement r = doc.RootElement;
        InputIds = r.GetProperty("input_ids").EnumerateArray()
            .Select(s => s.EnumerateArray().Select(t => t.GetInt32()).ToArray()).ToArray();
        LogitsShape = r.GetProperty("logits_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Logits = r.GetProperty("logits").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        JsonElement g = r.GetProperty("greedy");
        GreedyPrompt = g.GetProperty("prompt").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        GreedyTokens = g.GetProperty("new_tokens").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        GreedyLogProbs = g.GetProperty("logprobs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        JsonElement tol = r.GetProperty("tolerance");
        LogitsTolerance = tol.GetProperty("logits_abs").GetDouble();
    }

    public string Directory { get; }

    public int[][] InputIds { get; }

    public int[] LogitsShape { get; }

    public float[] Logits { get; }

    public int[] GreedyPrompt { get; }

    public int[] GreedyTokens { get; }

    public double[] GreedyLogProbs { get; }

    public double LogitsTolerance { get; }

    public static string ModelDir(string name) => Path.Combine(SharedData.Fixtures, "models", name);

    public static Golden For(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out Golden? g))
            {
                Cache[name] = g = new Golden(ModelDir(name));
            }

            return g;
        }
    }
}
