using Spectre.Console;

namespace PaDeLLM.Cli;

/// <summary>Where a command writes: stdout for results (JSON, tables), stderr for progress.</summary>
public sealed class CliContext(TextWriter stdout, TextWriter stderr, bool interactive, bool progressInteractive)
{
    public CliContext(TextWriter stdout, TextWriter stderr, bool interactive)
        : this(stdout, stderr, interactive, interactive)
    {
    }

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>Tables that are a command's result: stdout.</summary>
    public IAnsiConsole Console { get; } = CreateConsole(stdout, interactive);

    /// <summary>Progress bars: stderr, so that `--json > file` captures the result alone.</summary>
    public IAnsiConsole Progress { get; } = CreateConsole(stderr, progressInteractive);

    /// <summary>Whether progress is drawn live: stderr, where it goes, is a terminal.</summary>
    public bool Interactive { get; } = progressInteractive;

    private static IAnsiConsole CreateConsole(TextWriter writer, bool interactive)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });

        // Piped output has no terminal width; wrap tables at a width a log or file reads well in.
        if (!interactive)
        {
            console.Profile.Width = 160;
        }

        return console;
    }

    public static CliContext ForProcess()
    {
        bool ci = Environment.GetEnvironmentVariable("CI") is not null;
        return new(System.Console.Out, System.Console.Error, !System.Console.IsOutputRedirected && !ci,
            !System.Console.IsErrorRedirected && !ci);
    }
}
