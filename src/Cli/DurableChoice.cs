using System.CommandLine;
using Microsoft.Extensions.Logging;
using PaDeLLM.Storage.Azure;
using PaDeLLM.Worker;

namespace PaDeLLM.Cli;

/// <summary>
/// Where the pipeline's orchestrations run: embedded in this process (the default, nothing to
/// start), or with <c>--durable CONNECTION</c> on a task hub in Azure Storage (or Azurite) that
/// any number of <c>padellm worker</c> processes share.
/// </summary>
internal sealed class DurableChoice
{
    public Option<string?> Durable { get; } = new("--durable")
    {
        Description = "run on the Durable Task engine over this Azure Storage account "
            + "(connection string, account name or URL; "
            + "\"UseDevelopmentStorage=true\" for Azurite) instead of in this process",
    };

    public Option<string> TaskHub { get; } = new("--task-hub")
    {
        Description = "the task hub's name (workers on one hub share its work)",
        DefaultValueFactory = _ => AzureStorageHub.DefaultTaskHub,
    };

    public Option<double?> Recovery { get; } = new("--recovery-seconds")
    {
        Description = "how long work a killed worker had taken waits before it is redelivered (default: activities "
            + $"{AzureStorageHub.VisibilityTimeout.TotalSeconds:F0} s, orchestration messages "
            + $"{AzureStorageHub.ControlVisibilityTimeout.TotalMinutes:F0} min; "
            + "leases lapse in half of it); short values suit light loads and tests",
    };

    public Option<LogLevel> LogLevel { get; } = new("--log-level")
    {
        Description = "the Durable Task engine's log on stderr: Warning, Information, Debug, ... (default None)",
        DefaultValueFactory = _ => Microsoft.Extensions.Logging.LogLevel.None,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(LogLevel);
        command.Options.Add(Durable);
        command.Options.Add(TaskHub);
        command.Options.Add(Recovery);
    }

    /// <summary>The storage account of --durable, or null to run embedded.</summary>
    public StorageConnection? Connection(ParseResult r)
    {
        if (r.GetValue(Durable) is not string spec)
        {
            return null;
        }

        try
        {
            return StorageConnection.Parse(spec);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--durable: {e.Message}");
        }
    }

    /// <summary>
    /// The pipeline: embedded, or on the --durable task hub (with a
    /// worker in this process unless <paramref name="tasks"/> is null).
    /// </summary>
    public DurablePipeline Open(ParseResult r, PipelineTasks? tasks, int concurrency)
    {
        if (Connection(r) is not StorageConnection storage)
        {
            return DurablePipeline.InMemory(
                tasks ?? throw new UsageException("--no-worker needs --durable: an embedded run has no other workers"),
                concurrency);
        }

        string hub = r.GetValue(TaskHub)!;
        if (hub.Length is < 3 or > 45 || !char.IsAsciiLetter(hub[0]) || !hub.All(char.IsAsciiLetterOrDigit))
        {
            throw new UsageException($"--task-hub '{hub}': 3-45 letters and digits, starting with a letter");
        }

        TimeSpan? recovery = r.GetValue(Recovery) is double seconds
            ? seconds is >= 2 and <= 3600
                ? TimeSpan.FromSeconds(seconds)
                : throw new UsageException("--recovery-seconds must be between 2 and 3600")
            : null;
        var settings = AzureStorageHub.Settings(storage, hub, concurrency, recovery);
        if (r.GetValue(LogLevel) is var level and not Microsoft.Extensions.Logging.LogLevel.None)
        {
            settings.LoggerFactory = LoggerFactory.Create(b => b
                .AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(level)
                .AddFilter("DurableTask", level).AddFilter("Azure", Microsoft.Extensions.Logging.LogLevel.Warning));
        }

        return DurablePipeline.OnAzureStorage(settings, tasks);
    }
}
