using Spectre.Console;
using Xunit;

namespace PaDeLLM.Cli.Tests;

public class CliContextTests
{
    // `padellm eval --json > summary.json` once captured progress lines ahead of the JSON.
    [Fact]
    public void Progress_is_written_to_stderr_and_leaves_stdout_to_the_result()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var ctx = new CliContext(stdout, stderr, interactive: false);
        ctx.Progress.Progress().AutoClear(false).Start(p =>
        {
            ProgressTask task = p.AddTask("sentences", maxValue: 3);
            for (int i = 0; i < 3; i++)
            {
                task.Increment(1);
                p.Refresh();
            }
        });

        Assert.Equal("", stdout.ToString());
        Assert.Contains("sentences", stderr.ToString(), StringComparison.Ordinal);
    }
}
