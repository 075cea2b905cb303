using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PaDeLLM.Activities;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Functions;
using PaDeLLM.Functions.Configuration;
using PaDeLLM.Storage.Azure;

// The PaDeLLM Function app (.NET isolated worker): HTTP, blob and queue triggers that start the
// ExtractDocument and ProcessCorpus orchestrations, and the activities they fan out to.
FunctionsApplicationBuilder builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

// Durable takes the worker's serializer as its data converter (see PipelineObjectSerializer).
builder.Services.PostConfigure<WorkerOptions>(o => o.Serializer = PipelineObjectSerializer.Instance);

builder.Services.AddOptions<PadellmFunctionsOptions>().Bind(builder.Configuration).ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<PadellmFunctionsOptions>, PadellmFunctionsOptionsValidator>();
builder.Services.AddSingleton(sp => PipelineSchema.From(Settings(sp)));
builder.Services.AddSingleton<IPadellmEngine>(sp =>
    EngineFactory.Create(Settings(sp), new HttpClient { Timeout = Timeout.InfiniteTimeSpan })); // per-attempt timeouts
builder.Services.AddSingleton(_ => StorageConnection.FromEnvironment() ?? throw new InvalidOperationException(
    $"no storage: set {AppNames.StorageConnection} (a connection string) or "
    + $"{AppNames.StorageConnection}__accountName (managed identity)"));
builder.Services.AddSingleton(sp =>
{
    StorageConnection storage = sp.GetRequiredService<StorageConnection>();
    return new BlobContainers(storage.Container);
});
builder.Services.AddSingleton<CountLabelActivity>();
builder.Services.AddSingleton<ExtractMentionActivity>();
builder.Services.AddSingleton<ReadResultActivity>();
builder.Services.AddSingleton<WriteResultActivity>();
builder.Services.AddSingleton<ExistingResultsActivity>();
builder.Services.AddSingleton<ReadCorpusActivity>();
builder.Services.AddSingleton<WriteManifestActivity>();

IHost app = builder.Build();

// Built now, not at the first activity, so a wrong setting stops the app at once with its name.
ILogger log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PaDeLLM.Functions");
try
{
    IPadellmEngine engine = app.Services.GetRequiredService<IPadellmEngine>();
    PipelineSchema schema = app.Services.GetRequiredService<PipelineSchema>();
    StorageConnection storage = app.Services.GetRequiredService<StorageConnection>();
    Log.Started(log, engine.ModelName, schema.Schema.ToString(), storage.Description);

    // The host drops a worker's log entries from outside an invocation; its console reaches the host's log.
    Console.WriteLine($"PaDeLLM Functions: model {engine.ModelName}, labels {schema.Schema}, storage {storage}");
}
catch (Exception e) when (e is InvalidOperationException or ArgumentException or OptionsValidationException)
{
    Log.CannotStart(log, e.Message);
    await Console.Error.WriteLineAsync($"PaDeLLM Functions cannot start: {e.Message}");
    return 1;
}

await app.RunAsync();
return 0;

static PadellmFunctionsOptions Settings(IServiceProvider services) =>
    services.GetRequiredService<IOptions<PadellmFunctionsOptions>>().Value;
