using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using PaDeLLM.Extraction;
using PaDeLLM.GpuHost;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Page.Tests;

/// <summary>
/// The model host as <c>padellm serve</c> composes it, on a free loopback port, with the model shipped
/// in the checkout (models/conll03-en) and its own labels: the page is tried on real output.
/// </summary>
public sealed class ShippedModelHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DecoderModel _model;
    private readonly ContinuousBatcher _batcher;
    private readonly PadellmEngineService _engine;

    private ShippedModelHost(string? apiKey, string model)
    {
        string dir = Path.Combine(SharedData.RepoRoot, "models", model);
        _model = DecoderModel.Load(dir);
        _batcher = new ContinuousBatcher(_model);
        _engine = new PadellmEngineService(_model, TokenizerLoader.Load(dir), _batcher) { ModelName = model };
        Url = $"http://127.0.0.1:{FreePort()}/";
        Schema = LabelSchemaFile.ForModel(dir) ?? throw new InvalidOperationException($"{dir} has no labels.json");
        _app = GpuHostApp.Build(
            new GpuHostOptions { Urls = Url.TrimEnd('/'), ApiKey = apiKey, DefaultSchema = Schema }, _engine);
        Client = new HttpClient { BaseAddress = new Uri(Url) };
        if (apiKey is not null)
        {
            Client.DefaultRequestHeaders.Add("x-api-key", apiKey);
        }
    }

    public string Url { get; }

    public LabelSchema Schema { get; }

    /// <summary>A client of the API (with the key, if any): the truth the page is checked against.</summary>
    public HttpClient Client { get; }

    /// <param name="model">A model shipped in the checkout's models/ folder.</param>
    public static async Task<ShippedModelHost> StartAsync(string? apiKey = null, string model = "conll03-en")
    {
        var host = new ShippedModelHost(apiKey, model);
        await host._app.StartAsync();
        return host;
    }

    /// <summary><c>POST /v1/extract</c> with the body the page sends: its status and JSON answer.</summary>
    public async Task<(int Status, JsonNode Body)> ExtractAsync(JsonObject body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await Client.PostAsync("v1/extract", content);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _engine.Dispose();
        _batcher.Dispose();
        _model.Dispose();
    }
}
