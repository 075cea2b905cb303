using Microsoft.Extensions.Logging;

namespace PaDeLLM.Functions;

/// <summary>The app's log messages, source-generated (no boxing or formatting when the level is off).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "PaDeLLM Functions: model {Model}, labels {Schema}, storage {Storage}")]
    public static partial void Started(ILogger logger, string model, string schema, string storage);

    [LoggerMessage(2, LogLevel.Critical, "PaDeLLM Functions cannot start: {Problem}")]
    public static partial void CannotStart(ILogger logger, string problem);

    [LoggerMessage(3, LogLevel.Information, "{Orchestration} {InstanceId} scheduled ({Source})")]
    public static partial void Scheduled(ILogger logger, string orchestration, string instanceId, string source);

    [LoggerMessage(
        4, LogLevel.Information, "{Orchestration} {InstanceId} already {Status}; not scheduled again ({Source})")]
    public static partial void AlreadyThere(
        ILogger logger, string orchestration, string instanceId, string status, string source);

    [LoggerMessage(5, LogLevel.Warning, "ingest message {MessageId} is unreadable (try {DequeueCount}): {Problem}")]
    public static partial void UnreadableMessage(ILogger logger, string messageId, long dequeueCount, string problem);

    [LoggerMessage(6, LogLevel.Information, "api/extract refused ({Status}, field {Field}): {Detail}")]
    public static partial void Refused(ILogger logger, int status, string field, string detail);
}
