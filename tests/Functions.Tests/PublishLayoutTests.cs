using System.Diagnostics;
using System.Text.Json.Nodes;
using PaDeLLM.Functions.Handler;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Functions.Tests;

/// <summary>scripts/publish.sh builds the folder the Functions host expects: host.json at the root naming the custom handler, a folder per function.</summary>
public sealed class PublishLayoutTests
{
    [Fact]
    public void The_published_function_app_has_the_layout_the_host_expects()
    {
        using var dir = new TempDir();
        var start = new ProcessStartInfo("bash", [Path.Combine(SharedData.RepoRoot, "scripts", "publish.sh")])
        {
            WorkingDirectory = SharedData.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["OUT"] = dir.Path;
        using Process p = Process.Start(start)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(8)), "publish did not finish in 8 minutes");
        Assert.True(p.ExitCode == 0, stdout + stderr);

        string app = Path.Combine(dir.Path, "functionapp");
        JsonNode host = JsonNode.Parse(File.ReadAllText(Path.Combine(app, "host.json")))!;
        Assert.Equal("2.0", (string)host["version"]!);
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", (string)host["extensionBundle"]!["id"]!);
        Assert.Equal("[4.*, 5.0.0)", (string)host["extensionBundle"]!["version"]!);
        string handler = (string)host["customHandler"]!["description"]!["defaultExecutablePath"]!;
        string executable = Path.Combine(app, handler);
        Assert.True(File.Exists(executable), $"{handler} is not in the published app");
        Assert.True(OperatingSystem.IsWindows() || (File.GetUnixFileMode(executable) & UnixFileMode.UserExecute) != 0, $"{handler} is not executable");
        Assert.True(File.Exists(Path.Combine(app, "handler", "libhostfxr.so")), "the handler is not self-contained");
        foreach (string name in FunctionCatalog.Functions.Keys)
        {
            Assert.True(File.Exists(Path.Combine(app, name, "function.json")), $"{name}/function.json is missing");
        }

        Assert.Equal(FunctionCatalog.Functions.Count, Directory.GetFiles(app, "function.json", SearchOption.AllDirectories).Length);
    }
}
