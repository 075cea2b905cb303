using System.Diagnostics.Metrics;
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

    public GpuHostMetrics(IMeterFactory meters, ContinuousBatcher batcher)
    {
        _meter = meters.Create(MeterName);
        BatcherMetrics b = batcher.Metrics;
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
