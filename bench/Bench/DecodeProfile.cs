using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Kernels;
using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Bench;

/// <summary>Where a batch-1 decode step's time goes: its matrix-vector products alone against the whole step.</summary>
internal static unsafe class DecodeProfile
{
    public static int Run()
    {
        foreach (DType type in new[] { DType.BF16, DType.F32, DType.BF16, DType.F32 })
        {
            using var weights = DecoderWeights.Random(BenchModels.Llama100M(), type, 1);
            using var model = new DecoderModel(weights);
            int h = model.Config.HiddenSize;
            float[] x = new float[Math.Max(model.Config.IntermediateSize, h)];
            float[] y = new float[model.Config.VocabSize];
            Array.Fill(x, 0.01f);
            var all = weights.Layers.SelectMany(l => new[] { l.Q, l.K, l.V, l.O, l.Gate, l.Up, l.Down })
                .Append(weights.LmHead).ToArray();
            double matmuls;
            fixed (float* px = x, py = y)
            {
                nint xp = (nint)px, yp = (nint)py;
                matmuls = Timing.Median(() =>
                {
                    foreach (Weight w in all)
                    {
                        MatMul.Forward((float*)yp, (float*)xp, w, null, 1);
                    }
                }, minSeconds: 1.5);
            }

            fixed (float* px = x, py = y)
            {
                nint xp = (nint)px, yp = (nint)py;
                Weight head = weights.LmHead, down = weights.Layers[0].Down, q = weights.Layers[0].Q;
                double tHead = Timing.Median(() => MatMul.Forward((float*)yp, (float*)xp, head, null, 1),
                    minSeconds: 0.5);
                double tDown = Timing.Median(() => MatMul.Forward((float*)yp, (float*)xp, down, null, 1),
                    minSeconds: 0.5);
                double tQ = Timing.Median(() => MatMul.Forward((float*)yp, (float*)xp, q, null, 1), minSeconds: 0.5);
                Console.WriteLine($"  lm_head {head.Bytes / 1e6:F1} MB: {tHead * 1e6:F0} us = "
                    + $"{head.Bytes / tHead / 1e9:F1} GB/s; down {down.Bytes / 1e6:F1} MB: {tDown * 1e6:F0} us = "
                    + $"{down.Bytes / tDown / 1e9:F1} GB/s; q {q.Bytes / 1e6:F2} MB: {tQ * 1e6:F0} us = "
                    + $"{q.Bytes / tQ / 1e9:F1} GB/s");
            }

            KvNode node = model.NewCache().CreateRoot();
            model.Forward([new Segment(node, Enumerable.Range(1, 64).ToArray())]);
            int t = 0;
            double step = Timing.Median(
                () =>
                {
                    model.Forward([new Segment(node, [1 + (t++ % 100)])]);
                    node.Truncate(64);
                },
                minSeconds: 1.5);
            double bw = MemoryBandwidth.MeasureGBps(1L << 28);
            Console.WriteLine($"{type.Name()}: step {step * 1e3:F2} ms, its {all.Length} matmuls alone "
                + $"{matmuls * 1e3:F2} ms, streaming bound {weights.MatrixBytes / bw / 1e6:F2} ms at {bw:F1} GB/s");
        }

        return 0;
    }
}
