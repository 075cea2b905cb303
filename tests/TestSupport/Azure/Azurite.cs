using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PaDeLLM.Storage.Azure;
using Xunit;

namespace PaDeLLM.Tests;

/// <summary>
/// A real Azurite (npm <c>azurite@3.35.0</c>) started on free loopback ports with in-memory
/// persistence, for the Azure Storage code's tests. Found at <c>$AZURITE</c>, the repo's
/// <c>.tools/azurite</c> (scripts/test.sh installs it there) or on PATH.
/// </summary>
public sealed class Azurite : IDisposable
{
    private readonly Process _process;
    private readonly TempDir _dir = new();

    public Azurite()
    {
        string exe = Executable ?? throw new InvalidOperationException(MissingReason);
        BlobPort = FreePort();
        QueuePort = FreePort();
        int tablePort = FreePort();
        var start = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[]
        {
            "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--disableProductStyleUrl",
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(a);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("azurite did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(Listening(BlobPort) && Listening(QueuePort)))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"azurite ({exe}) did not listen on 127.0.0.1:{BlobPort}/{QueuePort} within 30 s");
            }

            Thread.Sleep(100);
        }
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public StorageAccount Account => StorageAccount.Development(BlobPort, QueuePort);

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={StorageAccount.DevelopmentAccountName};AccountKey={StorageAccount.DevelopmentAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{StorageAccount.DevelopmentAccountName};QueueEndpoint=http://127.0.0.1:{QueuePort}/{StorageAccount.DevelopmentAccountName};";

    public static string? Executable { get; } = Find();

    public const string MissingReason = "azurite not found: run scripts/test.sh (installs npm azurite@3.35.0 into .tools/azurite) or set AZURITE to its executable";

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        _dir.Dispose();
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("AZURITE") is { Length: > 0 } env && File.Exists(env))
        {
            return env;
        }

        string local = Path.Combine(SharedData.RepoRoot, ".tools", "azurite", "node_modules", ".bin", "azurite");
        if (File.Exists(local))
        {
            return local;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "azurite")).FirstOrDefault(File.Exists);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static bool Listening(int port)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>A fact that needs Azurite; skipped, with the reason printed, where it is not installed.</summary>
public sealed class AzuriteFactAttribute : FactAttribute
{
    public AzuriteFactAttribute()
    {
        if (Azurite.Executable is null)
        {
            Skip = Azurite.MissingReason;
        }
    }
}
