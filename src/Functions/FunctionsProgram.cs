using Microsoft.AspNetCore.Builder;
using PaDeLLM.Activities;
using PaDeLLM.Activities.Remote;
using PaDeLLM.Extraction;
using PaDeLLM.Functions.Handler;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Storage.Azure;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Functions;

/// <summary>
/// Configuration from the app settings: the GPU host (<c>PADELLM_GPU_HOST_URL</c>,
/// <c>PADELLM_GPU_HOST_KEY</c>) or an embedded model (<c>PADELLM_MODEL</c>); storage from
/// <c>AzureWebJobsStorage</c> (a connection string) or <c>AzureWebJobsStorage__accountName</c>
/// (managed identity: bearer tokens from the platform's identity endpoint); labels
/// from <c>PADELLM_LABELS</c> or the model's labels.json or CoNLL-2003's.
/// </summary>
public static class FunctionsProgram
{
    public static async Task<int> MainAsync(string[] args)
    {
        if (args.Length == 2 && args[0] == "--write-function-json")
        {
            FunctionCatalog.WriteFunctionFolders(args[1]);
            Console.WriteLine($"{FunctionCatalog.Functions.Count} function folders -> {args[1]}");
            return 0;
        }

        string port = Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT") ?? "8081";
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        FunctionsSettings settings = Configure(http);
        await using WebApplication app = FunctionsHandler.Build(settings, $"http://127.0.0.1:{port}");
        await app.RunAsync();
        return 0;
    }

    private static FunctionsSettings Configure(HttpClient http)
    {
        string? modelDir = Environment.GetEnvironmentVariable("PADELLM_MODEL");
        IPadellmEngine engine;
        if (Environment.GetEnvironmentVariable("PADELLM_GPU_HOST_URL") is { Length: > 0 } gpu)
        {
            engine = new HttpPadellmEngine(http, new Uri(gpu.TrimEnd('/') + "/"), Environment.GetEnvironmentVariable("PADELLM_GPU_HOST_KEY"));
        }
        else if (modelDir is { Length: > 0 })
        {
            engine = new PadellmEngineService(DecoderModel.Load(modelDir), TokenizerLoader.Load(modelDir)) { ModelName = new DirectoryInfo(modelDir).Name };
        }
        else
        {
            throw new InvalidOperationException("set PADELLM_GPU_HOST_URL (the GPU host) or PADELLM_MODEL (a model directory to run in process)");
        }

        StorageAccount account = Environment.GetEnvironmentVariable("AzureWebJobsStorage") is { Length: > 0 } conn
            ? StorageAccount.Parse(conn)
            : Environment.GetEnvironmentVariable("AzureWebJobsStorage__accountName") is { Length: > 0 } name
                ? StorageAccount.WithToken(name, new ManagedIdentityToken(http, "https://storage.azure.com/", Environment.GetEnvironmentVariable("AzureWebJobsStorage__clientId")).GetAsync)
                : throw new InvalidOperationException("set AzureWebJobsStorage (connection string) or AzureWebJobsStorage__accountName (managed identity)");
        var containers = new BlobContainers(c => new AzureBlobContainer(http, account, c));

        LabelSchema schema = Environment.GetEnvironmentVariable("PADELLM_LABELS") is { Length: > 0 } labels
            ? new LabelSchema("labels", PromptLanguage.English, labels.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(k => new EntityLabel(k, k)))
            : (modelDir is null ? null : LabelSchemaFile.ForModel(modelDir)) ?? DatasetCatalog.Get("conll03").Schema;
        return new FunctionsSettings(engine, containers, schema, http);
    }
}
