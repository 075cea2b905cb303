using DurableTask.AzureStorage;
using PaDeLLM.Storage.Azure;

namespace PaDeLLM.Worker;

/// <summary>
/// The Durable Task engine's Azure Storage task hub, tuned for this pipeline: short work items
/// (a model step takes milliseconds to seconds) make short visibility timeouts and leases safe,
/// and they bound how long a killed worker's work waits before another worker (or the same one
/// restarted) takes it. Every worker process gets its own id, so two on one machine share
/// partitions instead of fighting over them.
/// </summary>
public static class AzureStorageHub
{
    public const string DefaultTaskHub = "PaDeLLMHub";

    /// <summary>How long a message taken by a worker that died stays invisible before it is redelivered.</summary>
    public static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a dead worker's partition lease holds before another worker takes the partition.</summary>
    public static readonly TimeSpan LeaseInterval = TimeSpan.FromSeconds(15);

    /// <summary>The hub's settings; <paramref name="recovery"/> overrides <see cref="VisibilityTimeout"/> (leases lapse in half of it).</summary>
    public static AzureStorageOrchestrationServiceSettings Settings(
        StorageConnection storage, string taskHub, int concurrency = 64, TimeSpan? recovery = null) => new()
        {
            TaskHubName = taskHub,
            StorageAccountClientProvider = storage.ConnectionString is string cs
            ? new StorageAccountClientProvider(cs)
            : new StorageAccountClientProvider(storage.AccountName, storage.Credential!),
            WorkerId = $"{Environment.MachineName}-{Environment.ProcessId}",
            WorkItemQueueVisibilityTimeout = recovery ?? VisibilityTimeout,
            ControlQueueVisibilityTimeout = recovery ?? VisibilityTimeout,
            LeaseInterval = recovery / 2 ?? LeaseInterval,
            LeaseRenewInterval = (recovery / 2 ?? LeaseInterval) / 3,
            LeaseAcquireInterval = (recovery / 2 ?? LeaseInterval) / 3,

            // An idle hub polls at most this far apart: the latency of the first message after a lull.
            MaxQueuePollingInterval = TimeSpan.FromSeconds(2),
            MaxConcurrentTaskActivityWorkItems = concurrency,
            MaxConcurrentTaskOrchestrationWorkItems = concurrency,
        };
}
