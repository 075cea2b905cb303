using System.Diagnostics.Metrics;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Inference;

namespace PaDeLLM.GpuHost;

/// <summary>
/// The decode batch's instruments on a <see cref="Meter"/> (exported at /metrics as Prometheus
/// text as <c>padellm_*</c>, beside ASP.NET Core's own HTTP instruments, whose labels are route
/// templates, never raw paths): queue depth, decode steps, tokens processed, refused jobs and
/// sequences summed over steps.
/// </summary>
public sealed class GpuHostMetrics : IDisposable
{
    public const string MeterName = "padellm";

    private readonly Meter _meter;

    public GpuHostMetrics(IMeterFactory meters, ContinuousBatcher batcher, PadellmEngineService engine)
    {
        _meter = meters.Create(MeterName);
        BatcherMetrics b = batcher.Metrics;

        // Every piece of state that grows with traffic, beside its bound.
        _meter.CreateObservableGauge("queue.capacity", () => batcher.MaxQueuedJobs, "{job}",
            "Most jobs that may wait; beyond it requests get 429.");
        _meter.CreateObservableGauge("prefix_cache.texts", () => engine.CachedTexts, "{text}",
            "Texts whose K/V prefix is cached.");
        _meter.CreateObservableGauge("prefix_cache.texts.limit", () => engine.CacheEntries, "{text}",
            "Most texts the prefix cache keeps.");
        _meter.CreateObservableGauge("prefix_cache.bytes", () => engine.CachedBytes, "By",
            "K/V bytes held by the prefix cache.");
        _meter.CreateObservableGauge("prefix_cache.bytes.limit", () => engine.CacheBytes, "By",
            "Most K/V bytes the prefix cache keeps.");
        _meter.CreateObservableGauge("queue.depth", () => batcher.QueueDepth, "{job}",
            "Jobs waiting to join the decode batch.");
        _meter.CreateObservableCounter("decode.steps", () => b.Steps, "{step}",
            "Forward passes of the continuous batch.");
        _meter.CreateObservableCounter("tokens.processed", () => b.TokensProcessed, "{token}",
            "Tokens run through the model (prompts and generated).");
        _meter.CreateObservableCounter("jobs.rejected", () => b.RejectedJobs, "{job}",
            "Jobs refused with 429 because the queue was full.");
        _meter.CreateObservableCounter("batch.sequences", () => b.BatchSizeSum, "{sequence}",
            "Sequences summed over decode steps (÷ steps = mean batch size).");
    }

    public void Dispose() => _meter.Dispose();
}
