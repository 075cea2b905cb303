using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PaDeLLM.Storage.Azure;
using Xunit;

namespace PaDeLLM.Tests;

/// <summary>
/// A real Azurite (npm <c>azurite@3.37.0</c>) started on free loopback ports with in-memory
/// persistence, for the Azure Storage code's tests. Found at <c>$AZURITE</c>, the repo's
/// <c>.tools/azurite</c> (scripts/test.sh installs it there) or on PATH. It runs with
/// <c>--skipApiVersionCheck</c>: the Azure SDK may send a newer API version than it knows.
/// </summary>
public sealed class Azurite : IDisposable
{
    private readonly Process _process;
    private readonly TempDir _dir = new();

    public Azurite()
    {
        string exe = Executable ?? throw new InvalidOperationException(MissingReason);
        (BlobPort, QueuePort, TablePort) = FreePorts();
        var start = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[]
        {
            "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--disableProductStyleUrl",
            "--blobHost", "127.0.0.1", "--blobPort", Port(BlobPort),
            "--queueHost", "127.0.0.1", "--queuePort", Port(QueuePort),
            "--tableHost", "127.0.0.1", "--tablePort", Port(TablePort),
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
        while (!(Listening(BlobPort) && Listening(QueuePort) && Listening(TablePort)))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"azurite ({exe}) did not listen on 127.0.0.1:{BlobPort}/{QueuePort}/{TablePort} within 30 s");
            }

            Thread.Sleep(100);
        }
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    /// <summary>Tables: the Durable Task engine keeps its instances and histories there.</summary>
    public int TablePort { get; }

    /// <summary>The emulator's documented, public development account; not a secret.</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>This instance's account, its ports spelled out (not UseDevelopmentStorage's fixed ones).</summary>
    public StorageConnection Connection => StorageConnection.Parse(ConnectionString);

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    public static string? Executable { get; } = Find();

    public const string MissingReason = "azurite not found: run scripts/test.sh "
        + "(installs npm azurite@3.37.0 into .tools/azurite) or set AZURITE to its executable";

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

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // Three distinct free ports: each listener stays open until all three are chosen, since a port
    // released at once may be handed out again by the next bind (two services on one port hang Azurite).
    private static (int, int, int) FreePorts()
    {
        var listeners = Enumerable.Range(0, 3).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (TcpListener l in listeners)
            {
                l.Start();
            }

            int[] ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
            return (ports[0], ports[1], ports[2]);
        }
        finally
        {
            foreach (TcpListener l in listeners)
            {
                l.Stop();
            }
        }
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
