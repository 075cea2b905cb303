namespace PaDeLLM.Model.Inference;

/// <summary>
/// Counters of a <see cref="ContinuousBatcher"/>, read by /metrics: steps, tokens, batch sizes, refusals.
/// </summary>
public sealed class BatcherMetrics
{
    /// <summary>Upper bounds of the batch-size histogram's buckets (sequences per step).</summary>
    public static readonly int[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

    private readonly long[] _batchCounts = new long[BatchBuckets.Length + 1];
    private long _steps, _tokens, _rejected, _batchSum;

    public long Steps => Interlocked.Read(ref _steps);

    /// <summary>Tokens run through the model (prompts and generated).</summary>
    public long TokensProcessed => Interlocked.Read(ref _tokens);

    public long RejectedJobs => Interlocked.Read(ref _rejected);

    public long BatchSizeSum => Interlocked.Read(ref _batchSum);

    /// <summary>
    /// Steps whose batch size was at most each bucket bound (cumulative, Prometheus style), then the total.
    /// </summary>
    public long[] BatchSizeCumulative()
    {
        var result = new long[_batchCounts.Length];
        long sum = 0;
        for (int i = 0; i < _batchCounts.Length; i++)
        {
            sum += Interlocked.Read(ref _batchCounts[i]);
            result[i] = sum;
        }

        return result;
    }

    internal void Step(int sequences, int tokens)
    {
        Interlocked.Increment(ref _steps);
        Interlocked.Add(ref _tokens, tokens);
        Interlocked.Add(ref _batchSum, sequences);
        int bucket = Array.FindIndex(BatchBuckets, b => sequences <= b);
        Interlocked.Increment(ref _batchCounts[bucket < 0 ? BatchBuckets.Length : bucket]);
    }

    internal void Rejected() => Interlocked.Increment(ref _rejected);
}
