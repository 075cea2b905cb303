using System.Diagnostics;
using System.Numerics.Tensors;

namespace PaDeLLM.Bench;

/// <summary>Read bandwidth: every thread sums its share of a buffer far larger than the caches.</summary>
internal static class MemoryBandwidth
{
    public static double MeasureGBps(long bytes = 1L << 29, int repeats = 5)
    {
        var data = new float[bytes / sizeof(float)];
        Parallel.For(0, Environment.ProcessorCount,
            t => data.AsSpan(Chunk(data.Length, t).Start, Chunk(data.Length, t).Length).Fill(1f));
        double best = 0;
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            double total = 0;
            object gate = new();
            Parallel.For(0, Environment.ProcessorCount, t =>
            {
                var (start, length) = Chunk(data.Length, t);
                float s = TensorPrimitives.Sum(data.AsSpan(start, length));
                lock (gate)
                {
                    total += s;
                }
            });
            sw.Stop();
            if (Math.Abs(total - data.Length) > data.Length * 1e-3)
            {
                throw new InvalidOperationException("bandwidth kernel miscounted");
            }

            best = Math.Max(best, bytes / sw.Elapsed.TotalSeconds / 1e9);
        }

        return best;
    }

    private static (int Start, int Length) Chunk(int n, int t)
    {
        int threads = Environment.ProcessorCount;
        int per = n / threads;
        return (t * per, t == threads - 1 ? n - (t * per) : per);
    }
}
