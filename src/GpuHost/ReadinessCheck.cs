using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using PaDeLLM.Contracts.Engine;

namespace PaDeLLM.GpuHost;

/// <summary>
/// Ready while the model is loaded and the host is not
/// shutting down (a load balancer then stops sending work).
/// </summary>
public sealed class ReadinessCheck(IHostApplicationLifetime lifetime, IPadellmEngine engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("the host is shutting down")
            : HealthCheckResult.Healthy($"model {engine.ModelName}"));
}
