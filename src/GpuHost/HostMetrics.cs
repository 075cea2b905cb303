using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using PaDeLLM.Model.Inference;

namespace PaDeLLM.GpuHost;

/// <summary>The host's counters, rendered as Prometheus text at /metrics.</summary>
public sealed class HostMetrics(ContinuousBatcher batcher)
{
    /// <summary>Latency histogram bucket bounds, seconds.</summary>
    public static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly ConcurrentDictionary<(string Endpoint, int Status), long> _requests = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new(StringComparer.Ordinal);
    private readonly object _rateGate = new();
    private (DateTime At, long Tokens) _rateMark = (DateTime.UtcNow, 0);
    private double _tokensPerSecond;

    public void Observe(string endpoint, int status, double seconds)
    {
        _requests.AddOrUpdate((endpoint, status), 1, (_, n) => n + 1);
        _latency.GetOrAdd(endpoint, _ => new Histogram()).Add(seconds);
    }

    public string Render()
    {
        BatcherMetrics b = batcher.Metrics;
        var sb = new StringBuilder();
        void Line(string s) => sb.Append(s).Append('\n');
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

        Line("# HELP padellm_queue_depth Jobs waiting to join the decode batch.");
        Line("# TYPE padellm_queue_depth gauge");
        Line($"padellm_queue_depth {batcher.QueueDepth}");
        Line("# HELP padellm_decode_steps_total Forward passes of the continuous batch.");
        Line("# TYPE padellm_decode_steps_total counter");
        Line($"padellm_decode_steps_total {b.Steps}");
        Line("# HELP padellm_tokens_processed_total Tokens run through the model (prompts and generated).");
        Line("# TYPE padellm_tokens_processed_total counter");
        Line($"padellm_tokens_processed_total {b.TokensProcessed}");
        Line("# HELP padellm_tokens_per_second Tokens processed per second since the previous scrape.");
        Line("# TYPE padellm_tokens_per_second gauge");
        Line($"padellm_tokens_per_second {F(Math.Round(TokensPerSecond(b.TokensProcessed), 1))}");
        Line("# HELP padellm_rejected_jobs_total Jobs refused with 429 because the queue was full.");
        Line("# TYPE padellm_rejected_jobs_total counter");
        Line($"padellm_rejected_jobs_total {b.RejectedJobs}");
        Line("# HELP padellm_batch_size Sequences per decode step.");
        Line("# TYPE padellm_batch_size histogram");
        long[] cumulative = b.BatchSizeCumulative();
        for (int i = 0; i < BatcherMetrics.BatchBuckets.Length; i++)
        {
            Line($"padellm_batch_size_bucket{{le=\"{BatcherMetrics.BatchBuckets[i]}\"}} {cumulative[i]}");
        }

        Line($"padellm_batch_size_bucket{{le=\"+Inf\"}} {cumulative[^1]}");
        Line($"padellm_batch_size_sum {b.BatchSizeSum}");
        Line($"padellm_batch_size_count {cumulative[^1]}");
        Line("# HELP padellm_requests_total HTTP requests by endpoint and status.");
        Line("# TYPE padellm_requests_total counter");
        foreach (var ((endpoint, status), n) in _requests.OrderBy(kv => kv.Key.Endpoint, StringComparer.Ordinal).ThenBy(kv => kv.Key.Status))
        {
            Line($"padellm_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}} {n}");
        }

        Line("# HELP padellm_request_seconds Request latency by endpoint.");
        Line("# TYPE padellm_request_seconds histogram");
        foreach (var (endpoint, h) in _latency.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            (long[] counts, double sum, long count) = h.Snapshot();
            for (int i = 0; i < LatencyBuckets.Length; i++)
            {
                Line($"padellm_request_seconds_bucket{{endpoint=\"{endpoint}\",le=\"{F(LatencyBuckets[i])}\"}} {counts[i]}");
            }

            Line($"padellm_request_seconds_bucket{{endpoint=\"{endpoint}\",le=\"+Inf\"}} {count}");
            Line($"padellm_request_seconds_sum{{endpoint=\"{endpoint}\"}} {F(sum)}");
            Line($"padellm_request_seconds_count{{endpoint=\"{endpoint}\"}} {count}");
        }

        return sb.ToString();
    }

    private double TokensPerSecond(long tokens)
    {
        lock (_rateGate)
        {
            DateTime now = DateTime.UtcNow;
            double seconds = (now - _rateMark.At).TotalSeconds;
            if (seconds >= 1)
            {
                _tokensPerSecond = (tokens - _rateMark.Tokens) / seconds;
                _rateMark = (now, tokens);
            }

            return _tokensPerSecond;
        }
    }

    private sealed class Histogram
    {
        private readonly long[] _counts = new long[LatencyBuckets.Length];
        private double _sum;
        private long _count;

        public void Add(double seconds)
        {
            lock (_counts)
            {
                for (int i = 0; i < LatencyBuckets.Length; i++)
                {
                    if (seconds <= LatencyBuckets[i])
                    {
                        _counts[i]++;
                    }
                }

                _sum += seconds;
                _count++;
            }
        }

        public (long[] Counts, double Sum, long Count) Snapshot()
        {
            lock (_counts)
            {
                return ([.. _counts], _sum, _count);
            }
        }
    }
}
