using System.Diagnostics;

namespace PaDeLLM.Bench;

internal static class Timing
{
    /// <summary>
    /// Between sections: collect what the last one left, so no background GC runs on a core while the next is timed.
    /// </summary>
    public static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        Thread.Sleep(500);
    }

    /// <summary>
    /// Median seconds of <paramref name="action"/>, after a warm-up of at least <paramref name="warmup"/>
    /// runs and one second (so the JIT has tiered the code up), repeated until <paramref name="minSeconds"/> or
    /// <paramref name="maxRuns"/>.
    /// </summary>
    public static double Median(Action action, int warmup = 2, double minSeconds = 0.5, int minRuns = 3,
        int maxRuns = 50)
    {
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < warmup || (warm.Elapsed.TotalSeconds < 1 && i < 200); i++)
        {
            action();
        }

        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < minRuns || (total.Elapsed.TotalSeconds < minSeconds && times.Count < maxRuns))
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalSeconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
