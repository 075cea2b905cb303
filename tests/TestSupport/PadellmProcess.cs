using System.Diagnostics;
using System.Text;

namespace PaDeLLM.Tests;

/// <summary>
/// <c>padellm</c> as its own process (the CLI built beside the tests), so a test can kill it as
/// an operator or a crash would: SIGKILL with no chance to clean up, or SIGTERM to stop it.
/// </summary>
public sealed class PadellmProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _err = new();

    public PadellmProcess(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "padellm.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("padellm did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_err)
            {
                _err.AppendLine(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Error
    {
        get
        {
            lock (_err)
            {
                return _err.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>SIGKILL: the process stops where it stands.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as a service manager stops a worker; then waits for it to finish.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        using (var term = Process.Start(
            "kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        await WaitAsync(timeout);
    }

    public async Task WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit(); // drains the output readers
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
