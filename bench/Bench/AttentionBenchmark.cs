using System.Numerics.Tensors;
using PaDeLLM.Model.Kernels;

namespace PaDeLLM.Bench;

/// <summary>
/// One query token's attention over a cached context, at the shipped models' head shapes:
/// <see cref="Attention.Forward"/> against the same arithmetic as one library call per key
/// (System.Numerics.Tensors' Dot and MultiplyAdd, what the kernel did before), in the same process.
/// </summary>
internal static class AttentionBenchmark
{
    public static int Run()
    {
        Run(new Report());
        return 0;
    }

    public static void Run(Report report)
    {
        report.Line("## Attention of one token over its cached context (the shipped models' heads)");
        report.Line();
        var rows = new List<string[]>();
        (int Heads, int HeadDim, int Context)[] shapes = [(4, 64, 40), (4, 64, 120), (6, 64, 120), (6, 64, 400)];
        foreach ((int heads, int headDim, int context) in shapes)
        {
            var random = new Random(heads * context);
            float[] keys = Fill(context * heads * headDim, random), values = Fill(context * heads * headDim, random);
            float[] q = Fill(heads * headDim, random), output = new float[heads * headDim], scores = new float[context];
            // the context as two runs, as a prefix tree splits it
            int first = context / 2, half = first * heads * headDim;
            KvRun[] runs = [new KvRun(keys, values, first), new KvRun(keys[half..], values[half..], context - first)];
            double ours = Timing.Median(
                () => Attention.Forward(output, q, runs, runs[^1].Length, heads, heads, headDim, scores));
            double calls = Timing.Median(() => PerKeyCalls(output, q, runs, heads, headDim, scores));
            rows.Add([$"{heads} × {headDim}, {context}", $"{ours * 1e6:F2}", $"{calls * 1e6:F2}",
                $"{calls / ours:F2}×"]);
        }

        report.Table(["heads × head dim, context", "ours µs", "a library call per key µs", "calls / ours"], rows);
    }

    private static float[] Fill(int n, Random random) =>
        Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

    // The peer: a library call per key for the scores and for the weighted sum (no grouped heads here).
    private static void PerKeyCalls(float[] output, float[] query, KvRun[] runs, int heads, int headDim, float[] scores)
    {
        int kvDim = heads * headDim;
        float scale = 1f / MathF.Sqrt(headDim);
        for (int h = 0; h < heads; h++)
        {
            ReadOnlySpan<float> q = query.AsSpan(h * headDim, headDim);
            int t = 0;
            foreach (KvRun run in runs)
            {
                for (int i = 0; i < run.Length; i++)
                {
                    ReadOnlySpan<float> key = run.Keys.AsSpan((i * kvDim) + (h * headDim), headDim);
                    scores[t++] = TensorPrimitives.Dot(q, key) * scale;
                }
            }

            Softmax.InPlace(scores.AsSpan(0, t));
            Span<float> o = output.AsSpan(h * headDim, headDim);
            o.Clear();
            t = 0;
            foreach (KvRun run in runs)
            {
                for (int i = 0; i < run.Length; i++)
                {
                    ReadOnlySpan<float> value = run.Values.AsSpan((i * kvDim) + (h * headDim), headDim);
                    TensorPrimitives.MultiplyAdd(value, scores[t++], o, o);
                }
            }
        }
    }
}
