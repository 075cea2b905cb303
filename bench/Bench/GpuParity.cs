using System.Globalization;
using System.Text.Json;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Bench;

/// <summary>
/// The parity tests of tests/Model.Tests and tests/Extraction.Tests, in the benchmark's process, for
/// the device check (a GPU machine has no .NET SDK to run the test projects): the fixture models on
/// the gpu backend against PyTorch's golden.json, and a PaDeLLM request on the gpu backend against the
/// CPU engine. Each check is a table row; the count of failures is returned.
/// </summary>
internal static class GpuParity
{
    public static int Run(Report report, string fixtures, string? model)
    {
        var rows = new List<string[]>();
        int failures = 0;
        void Row(string check, bool ok, string detail)
        {
            failures += ok ? 0 : 1;
            rows.Add([check, (ok ? "pass: " : "FAIL: ") + detail]);
        }

        foreach (string dir in Directory.GetDirectories(fixtures).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(dir);
            if (!File.Exists(Path.Combine(dir, "golden.json")))
            {
                continue;
            }

            using JsonDocument golden = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "golden.json")));
            JsonElement g = golden.RootElement;
            int[][] ids = g.GetProperty("input_ids").EnumerateArray()
                .Select(s => s.EnumerateArray().Select(t => t.GetInt32()).ToArray()).ToArray();
            float[] expected = g.GetProperty("logits").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            using DecoderModel gpu = DecoderModel.Load(dir, DecoderBackend.Gpu);
            KvCache cache = gpu.NewCache();
            float[] logits = gpu.Forward(
                ids.Select(s => new Segment(cache.CreateRoot(), s)).ToList(), allPositions: true);
            double worst = logits.Select((l, i) => Math.Abs(l - expected[i])).Max();
            Row($"{name}: logits at every position of {ids.Length} sequences against golden.json", worst <= 2e-4,
                $"max error {worst.ToString("E2", CultureInfo.InvariantCulture)} (bound 2e-4)");

            JsonElement greedy = g.GetProperty("greedy");
            int[] prompt = greedy.GetProperty("prompt").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            int[] tokens = greedy.GetProperty("new_tokens").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            double[] logProbs = greedy.GetProperty("logprobs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var request = new GenerationRequest(
                gpu.NewCache().CreateRoot(), prompt, tokens.Length, GenerationRequest.NoStop);
            GenerationResult r = new GreedyGenerator(gpu).Generate([request])[0];
            bool same = r.Tokens.SequenceEqual(tokens);
            double lp = same ? r.LogProbabilities.Select((l, i) => Math.Abs(l - logProbs[i])).Max() : double.NaN;
            Row($"{name}: {tokens.Length} greedy tokens, chosen on the device", same && lp <= 1e-4,
                same
                    ? $"equal; log-probabilities within {lp.ToString("E1", CultureInfo.InvariantCulture)}"
                    : "tokens differ");
        }

        if (model is not null)
        {
            const string text =
                "EU rejects German call to boycott British lamb . Peter Blackburn reports from Brussels .";
            ITokenizer tokenizer = TokenizerLoader.Load(model);
            LabelSchema schema = LabelSchemaFile.ForModel(model) ?? throw new InvalidOperationException(
                $"{model}: no labels.json");
            using DecoderModel cpu = DecoderModel.Load(model);
            using DecoderModel gpu = DecoderModel.Load(model, DecoderBackend.Gpu);
            foreach (bool copy in new[] { true, false })
            {
                IReadOnlyList<ResultEntity> a = new PadellmExtractor(cpu, tokenizer) { CopyMentions = copy }
                    .Extract(text, schema).Entities;
                IReadOnlyList<ResultEntity> b = new PadellmExtractor(gpu, tokenizer) { CopyMentions = copy }
                    .Extract(text, schema).Entities;
                bool same = a.Select(e => (e.Label, e.Text, e.Start))
                    .SequenceEqual(b.Select(e => (e.Label, e.Text, e.Start)));
                double worst = same ? a.Zip(b).Select(p => Math.Abs(p.First.Probability - p.Second.Probability))
                    .DefaultIfEmpty(0).Max() : double.NaN;
                Row($"PaDeLLM request ({Path.GetFileName(model)}, {(copy ? "copied" : "unconstrained")} mentions, "
                    + $"{a.Count} entities): gpu against cpu backend", same && worst <= 1e-4,
                    same ? $"entities equal; probabilities within {worst.ToString("E1", CultureInfo.InvariantCulture)}"
                        : "entities differ");
            }
        }

        report.Line("## Parity on the device");
        report.Line();
        report.Table(["check", "result"], rows);
        return failures;
    }
}
