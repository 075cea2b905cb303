using DurableTask.AzureStorage;
using PaDeLLM.Storage.Azure;

namespace PaDeLLM.Worker;

/// <summary>
/// The Durable Task engine's Azure Storage task hub, tuned for this pipeline. Activities are short
/// (a model step takes milliseconds to seconds), so the work-item queue's visibility timeout is
/// short too (30 s): it bounds how long a killed worker's activities wait before another worker
/// (or the same one restarted) takes them. Partition leases and the control queue keep
/// DurableTask.AzureStorage's 30 s and 5 minutes: control messages wait in a worker's buffer until
/// their orchestration runs, and at 30 s a loaded 2-core worker saw them expire in the buffer
/// (PopReceiptMismatch) and an orchestration stall; shorter leases made two loaded workers trade
/// partitions, and each move strands the messages buffered for them. Every worker process gets its own id, so two on
/// one machine share partitions instead of fighting over them.
/// </summary>
public static class AzureStorageHub
{
    public const string DefaultTaskHub = "PaDeLLMHub";

    /// <summary>
    /// How long an activity message taken by a worker that
    /// died stays invisible before it is redelivered.
    /// </summary>
    public static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The same for orchestration (control queue) messages: DurableTask.AzureStorage's default.</summary>
    public static readonly TimeSpan ControlVisibilityTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a dead worker's partition lease holds before another worker takes the partition:
    /// DurableTask.AzureStorage's 30 s (renewed every 10 s). Shorter leases made two loaded workers
    /// trade partitions back and forth, and each move strands the messages buffered for it.
    /// </summary>
    public static readonly TimeSpan LeaseInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The hub's settings; <paramref name="recovery"/> overrides both visibility timeouts (leases lapse
    /// in half of it): for tests and light loads, where a short control-queue timeout is safe.
    /// </summary>
    public static AzureStorageOrchestrationServiceSettings Settings(
        StorageConnection storage, string taskHub, int concurrency = 64, TimeSpan? recovery = null) => new()
        {
            TaskHubName = taskHub,
            StorageAccountClientProvider = storage.ConnectionString is string cs
            ? new StorageAccountClientProvider(cs)
            : new StorageAccountClientProvider(storage.AccountName, storage.Credential!),
            WorkerId = $"{Environment.MachineName}-{Environment.ProcessId}",
            WorkItemQueueVisibilityTimeout = recovery ?? VisibilityTimeout,
            ControlQueueVisibilityTimeout = recovery ?? ControlVisibilityTimeout,
            LeaseInterval = recovery / 2 ?? LeaseInterval,
            LeaseRenewInterval = (recovery / 2 ?? LeaseInterval) / 3,
            LeaseAcquireInterval = (recovery / 2 ?? LeaseInterval) / 3,

            // Two seconds is short for a loaded machine (the partition manager then warns and retries).
            PartitionTableOperationTimeout = TimeSpan.FromSeconds(10),

            // An idle hub polls at most this far apart: the latency of the first message after a lull.
            MaxQueuePollingInterval = TimeSpan.FromSeconds(2),
            MaxConcurrentTaskActivityWorkItems = concurrency,
            MaxConcurrentTaskOrchestrationWorkItems = concurrency,
        };
}
