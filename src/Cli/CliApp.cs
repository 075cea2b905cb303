using System.CommandLine;
using PaDeLLM.Cli.Commands;

namespace PaDeLLM.Cli;

/// <summary>
/// The <c>padellm</c> command tree. Bad input ends as one
/// "error: …" line and exit code 2, never a stack trace.
/// </summary>
public static class CliApp
{
    public static RootCommand Build(CliContext ctx) =>
        new("PaDeLLM: named-entity recognition by parallel decoding of label-mention pairs")
    {
        ExtractCommand.Create(ctx),
        CorpusCommand.Create(ctx),
        ServeCommand.Create(ctx),
        IngestCommand.Create(ctx),
        WorkerCommand.Create(ctx),
        TrainCommand.Create(ctx),
        EvalCommand.Create(ctx),
        ScoreCommand.Create(ctx),
        DedupCommand.Create(ctx),
        DataCommands.Create(ctx),
        ModelCommands.Create(ctx),
        TokenizeCommand.Create(ctx),
        TokenizerCommands.Create(ctx),
    };

    public static int Run(string[] args, CliContext ctx)
    {
        RootCommand root = Build(ctx);
        ParseResult parsed = root.Parse(args);
        try
        {
            return parsed.Invoke(new InvocationConfiguration
            {
                Output = ctx.Out,
                Error = ctx.Error,
                EnableDefaultExceptionHandler = false,

                // A worker or a server stopping on SIGTERM drains and releases its leases: give it the time.
                ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
            });
        }
        catch (Exception e) when (e is FormatException or UsageException or IOException
            or UnauthorizedAccessException or KeyNotFoundException or ArgumentException
            or HttpRequestException or Azure.RequestFailedException)
        {
            ctx.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
