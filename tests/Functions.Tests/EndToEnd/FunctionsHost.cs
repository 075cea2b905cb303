using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Functions.Tests.EndToEnd;

/// <summary>
/// The Function app as it runs in Azure, here: published once into a temp folder, run by the
/// Functions host built from source (<c>../shared/tools/functions-host/run-host.sh</c>) on a
/// free loopback port over a real Azurite, with the shipped model in process. Shared by the
/// end-to-end tests (one host start); the host's process tree is killed at dispose.
/// </summary>
public sealed class FunctionsHost : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(120);

    private readonly TempDir _dir = new();
    private readonly ConcurrentQueue<string> _tail = new();
    private Process? _host;
    private bool _disposed;
    private bool _skipping;

    /// <summary>Null when the end-to-end tests can run; else why not.</summary>
    public static string? MissingReason =>
        SharedData.SharedDir is null ? SharedData.MissingReason
        : !File.Exists(RunHostScript) ? $"{RunHostScript} not found (the Functions host build for local tests)"
        : Azurite.Executable is null ? Azurite.MissingReason
        : null;

    public static string RunHostScript =>
        Path.Combine(SharedData.SharedDir ?? "", "tools", "functions-host", "run-host.sh");

    /// <summary>Small, so a short corpus runs over several ProcessCorpus generations (ContinueAsNew).</summary>
    public const int CorpusChunkSize = 2;

    public static string ModelDir => Path.Combine(SharedData.RepoRoot, "models", "conll03-en");

    public Azurite Storage { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(90) };

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The host's default function key (AuthorizationLevel.Function wants one, even locally).</summary>
    public string FunctionKey { get; private set; } = "";

    public string AppDir => Path.Combine(_dir.Path, "app");

    /// <summary>What the app said when it started (model, labels, storage), once the worker is up.</summary>
    public string? StartupLine { get; private set; }

    /// <summary>How long publishing and starting took, for the test log.</summary>
    public string Timings { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (MissingReason is not null)
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        Storage = new Azurite();
        await CreateStorageAsync();
        await PublishAsync();
        TimeSpan published = clock.Elapsed;
        int port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        StartHost(port);
        await WaitUntilReadyAsync();
        Timings = $"published in {published.TotalSeconds:F0} s, "
            + $"host ready after {(clock.Elapsed - published).TotalSeconds:F0} s";
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_host is not null)
        {
            try
            {
                _host.Kill(entireProcessTree: true);
                _host.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
            }

            _host.Dispose();
            _host = null;
        }

        Http.Dispose();
        (Storage as IDisposable)?.Dispose();
        _dir.Dispose();
    }

    /// <summary>The host's last lines (its own logs, the worker's and the app's), for failure messages.</summary>
    public string Tail() => string.Join('\n', _tail);

    /// <summary>Durable's own status URL for an instance (the extension's system key).</summary>
    public Uri InstanceUri(string instanceId) =>
        new(BaseAddress, $"runtime/webhooks/durabletask/instances/{Uri.EscapeDataString(instanceId)}"
            + $"?code={Uri.EscapeDataString(DurableKey)}");

    private static string DurableKey => ReadKey("systemKeys", "durabletask_extension") ?? "";

    public Uri Api(string pathAndQuery) =>
        new(BaseAddress, pathAndQuery + (pathAndQuery.Contains('?', StringComparison.Ordinal) ? "&" : "?")
            + "code=" + Uri.EscapeDataString(FunctionKey));

    /// <summary>Polls a Durable status URL until the instance ends; its status document.</summary>
    public async Task<JsonElement> WaitForInstanceAsync(Uri statusUri, TimeSpan limit)
    {
        DateTime deadline = DateTime.UtcNow + limit;
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            using HttpResponseMessage r = await Http.GetAsync(statusUri);
            last = $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}";
            if (r.IsSuccessStatusCode)
            {
                JsonElement status = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();
                if (status.GetProperty("runtimeStatus").GetString() is "Completed" or "Failed" or "Terminated")
                {
                    return status;
                }
            }

            await Task.Delay(250);
        }

        // Which instances there are, to tell a wrong id from a stuck instance.
        using HttpResponseMessage all = await Http.GetAsync(new Uri(BaseAddress,
            $"runtime/webhooks/durabletask/instances?code={Uri.EscapeDataString(DurableKey)}"));
        throw new Xunit.Sdk.XunitException(
            $"{statusUri.GetLeftPart(UriPartial.Path)} did not end within {limit.TotalSeconds:F0} s; last: {last}\n"
            + $"instances: {await all.Content.ReadAsStringAsync()}\n{Tail()}");
    }

    // What the infrastructure creates beside the app (storage.bicep): the triggers' container and queue.
    private async Task CreateStorageAsync()
    {
        var blobs = new BlobServiceClient(Storage.ConnectionString);
        await blobs.GetBlobContainerClient("corpus").CreateIfNotExistsAsync();
        await new QueueClient(Storage.ConnectionString, "ingest").CreateIfNotExistsAsync();
    }

    private async Task PublishAsync()
    {
        string configuration = typeof(FunctionsHost).Assembly
            .GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[]
        {
            "publish", Path.Combine(SharedData.RepoRoot, "src", "Functions", "Functions.csproj"),
            "-c", configuration, "-o", AppDir, "-nologo", "-v", "q",
        })
        {
            start.ArgumentList.Add(a);
        }

        using Process publish = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        Task<string> stdout = publish.StandardOutput.ReadToEndAsync();
        Task<string> stderr = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"dotnet publish failed ({publish.ExitCode}):\n{await stdout}\n{await stderr}");
        }

        foreach (string needed in new[]
        {
            "functions.metadata", "worker.config.json", "host.json", "PaDeLLM.Functions.dll",
        })
        {
            Assert.True(File.Exists(Path.Combine(AppDir, needed)), $"the published app lacks {needed}");
        }

        Assert.True(
            Directory.Exists(Path.Combine(AppDir, ".azurefunctions")), "the published app lacks .azurefunctions/");
    }

    private void StartHost(int port)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { RunHostScript, AppDir, Storage.ConnectionString, port.ToString(CultureInfo) })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["PADELLM_MODEL"] = ModelDir;
        start.Environment["PADELLM_CORPUS_CHUNK_SIZE"] = CorpusChunkSize.ToString(CultureInfo);
        // Idle polling backs off to 30 s (Durable) and 1 min (queues) by default; a test wants seconds.
        start.Environment["AzureFunctionsJobHost__extensions__durableTask__storageProvider__maxQueuePollingInterval"] =
            "00:00:01";
        start.Environment["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:01";
        _host = Process.Start(start) ?? throw new InvalidOperationException("run-host.sh did not start");
        _host.OutputDataReceived += (_, e) => Keep(e.Data);
        _host.ErrorDataReceived += (_, e) => Keep(e.Data);
        _host.BeginOutputReadLine();
        _host.BeginErrorReadLine();
    }

    // The host prints each log twice (console, and CSV lines for the platform); the console ones are kept,
    // less the storage SDK's request logs (each a header line and indented lines after it).
    private void Keep(string? line)
    {
        if (line is null || line.StartsWith("MS_FUNCTION_", StringComparison.Ordinal))
        {
            return;
        }

        if (line.Contains("PaDeLLM Functions: model", StringComparison.Ordinal))
        {
            StartupLine = line.Trim();
        }

        if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
        {
            _skipping = line.Contains("Azure.Core", StringComparison.Ordinal);
        }

        if (_skipping)
        {
            return;
        }

        _tail.Enqueue(line);
        while (_tail.Count > 400)
        {
            _tail.TryDequeue(out _);
        }
    }

    // Ready when the app's HTTP trigger answers a request through the host (a 400 for an empty one).
    private async Task WaitUntilReadyAsync()
    {
        DateTime deadline = DateTime.UtcNow + StartLimit;
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            if (_host!.HasExited)
            {
                throw new InvalidOperationException($"the Functions host exited ({_host.ExitCode}):\n{Tail()}");
            }

            if (ReadKey("functionKeys", "default") is string key)
            {
                FunctionKey = key;
                try
                {
                    using var body = new StringContent("{}", Encoding.UTF8, "application/json");
                    using HttpResponseMessage r = await Http.PostAsync(Api("api/extract"), body);
                    if (r.StatusCode == HttpStatusCode.BadRequest)
                    {
                        return;
                    }

                    last = $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}";
                }
                catch (HttpRequestException e)
                {
                    last = e.Message;
                }
            }

            await Task.Delay(500);
        }

        throw new InvalidOperationException(
            $"the Functions host did not answer api/extract within {StartLimit.TotalSeconds:F0} s "
            + $"(last: {last}):\n{Tail()}");
    }

    // With AzureWebJobsSecretStorageType=files the host keeps its keys beside itself, where run-host.sh unpacks it.
    private static string? ReadKey(string kind, string name)
    {
        string tmp = Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } t ? t : "/tmp";
        string root = Environment.GetEnvironmentVariable("FUNCTIONS_HOST_DIR") is { Length: > 0 } d ? d
            : Path.Combine(tmp, "functions-host");
        string path = Path.Combine(root, "functions-host", "host", "Secrets", "host.json");
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.GetProperty(kind).EnumerateArray()
                .Where(k => k.GetProperty("name").GetString() == name)
                .Select(k => k.GetProperty("value").GetString())
                .FirstOrDefault();
        }
        catch (Exception e)
            when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static readonly IFormatProvider CultureInfo = System.Globalization.CultureInfo.InvariantCulture;

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
