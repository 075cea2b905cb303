using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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
/// <c>GET /v1/labels</c> says which labels a request that names none gets, in the form a request's
/// <c>schema</c> takes (and a model's labels.json), so a client such as the try-it page can offer them.
/// </summary>
public static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/labels", (GpuHostOptions options, IPadellmEngine engine) =>
        {
            // The schema's one wire shape (SchemaSpec, as in labels.json), with the model's name beside it.
            JsonObject labels = JsonSerializer.SerializeToNode(
                SchemaSpec.From(options.DefaultSchema), PipelineJson.Default.SchemaSpec)!.AsObject();
            labels.Insert(0, "model", engine.ModelName);
            return Results.Text(labels.ToJsonString(), "application/json", Encoding.UTF8);
        });

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
