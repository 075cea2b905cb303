using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Inference;
using Prometheus;

namespace PaDeLLM.GpuHost;

/// <summary>
/// The model host: ASP.NET Core around one model (<see cref="ModelEndpoints"/>), with problem
/// details for every refusal, liveness (/healthz) and readiness (/readyz) checks, the .NET meters
/// as Prometheus text (/metrics), and a page to try the model at / (<see cref="PageEndpoints"/>).
/// <paramref name="extend"/> lets a caller (the CLI's <c>padellm serve</c>) add services and
/// endpoints, such as the pipeline's <c>/api/extract</c>.
/// </summary>
public static class GpuHostApp
{
    public static WebApplication Build(
        GpuHostOptions options,
        PadellmEngineService engine,
        Action<ILoggingBuilder>? logging = null,
        IHostExtension? extend = null)
    {
        options.Validate();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes + 1;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);

            // A client trickling its body would hold a connection and a request slot indefinitely.
            k.Limits.MinRequestBodyDataRate =
                new MinDataRate(bytesPerSecond: 4096, gracePeriod: TimeSpan.FromSeconds(5));
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton<IPadellmEngine>(engine);
        builder.Services.AddSingleton<ContinuousBatcher>(engine.Batcher);
        builder.Services.AddSingleton<RequestReader>();
        builder.Services.AddSingleton<GpuHostMetrics>();
        builder.Services.AddMetrics();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddHealthChecks().AddCheck<ReadinessCheck>("model", tags: ["ready"]);
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        extend?.ConfigureServices(builder.Services);

        WebApplication app = builder.Build();
        _ = app.Services.GetRequiredService<GpuHostMetrics>(); // its instruments exist from the start
        app.UseExceptionHandler();
        app.UseStatusCodePages(async ctx =>
        {
            HttpContext http = ctx.HttpContext;
            if (!http.Response.HasStarted && http.Response.ContentLength is null)
            {
                bool notAllowed = http.Response.StatusCode == StatusCodes.Status405MethodNotAllowed;
                await ProblemExceptionHandler.Write(
                    http.RequestServices.GetRequiredService<Microsoft.AspNetCore.Http.IProblemDetailsService>(), http,
                    http.Response.StatusCode, notAllowed ? "Method not allowed" : "Not found",
                    notAllowed
                        ? $"{http.Request.Method} is not allowed on {http.Request.Path}"
                        : $"no resource at {http.Request.Path}",
                    null);
            }
        });
        app.UseMiddleware<ApiKeyMiddleware>();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapMetrics("/metrics");
        app.MapModelEndpoints();
        app.MapPage();
        extend?.Map(app);
        return app;
    }
}

/// <summary>What a caller adds to the model host: services, then endpoints.</summary>
public interface IHostExtension
{
    void ConfigureServices(IServiceCollection services);

    void Map(WebApplication app);
}
