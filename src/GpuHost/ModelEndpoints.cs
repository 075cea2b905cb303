using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;

namespace PaDeLLM.GpuHost;

/// <summary>
/// The model's API: <c>/v1/count</c> and <c>/v1/mention</c> (what the count and mention activities
/// call) and <c>/v1/extract</c> (the whole algorithm on this host). All share one continuous batch.
/// </summary>
public static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/count", async (HttpContext http, RequestReader reader, IPadellmEngine engine) =>
        {
            CountBody body = await reader.CountAsync(http.Request);
            IReadOnlyList<CountAnswer> counts = await engine.CountAsync(body.Text, body.Schema, http.RequestAborted);
            return Results.Json(new CountResponse(engine.ModelName, counts), PipelineJson.Default.CountResponse);
        });

        app.MapPost("/v1/mention", async (HttpContext http, RequestReader reader, IPadellmEngine engine) =>
        {
            MentionBody body = await reader.MentionAsync(http.Request);
            MentionAnswer answer = await engine.MentionAsync(body.Text, body.Schema, body.Call, http.RequestAborted);
            return Results.Json(answer, PipelineJson.Default.MentionAnswer);
        });

        app.MapPost("/v1/extract", async (HttpContext http, RequestReader reader, IPadellmEngine engine) =>
        {
            ExtractBody body = await reader.ExtractAsync(http.Request);
            ResultDocument document = await PadellmAlgorithm.RunAsync(
                body.Id, body.Text, body.Schema, new EngineSteps(engine, http.RequestAborted), () => DateTime.UtcNow);
            return Results.Json(document with { Model = engine.ModelName }, PipelineJson.Default.ResultDocument);
        });
        return app;
    }
}
