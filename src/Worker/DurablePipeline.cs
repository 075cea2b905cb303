using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Exceptions;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PaDeLLM.Orchestrations;

namespace PaDeLLM.Worker;

/// <summary>
/// The pipeline on the Durable Task engine (DurableTask.Core): a task hub worker running the
/// orchestrators and activities, and a client that schedules and waits for instances. Embedded,
/// the task hub lives in this process's memory; scaled out, in Azure Storage (or Azurite),
/// shared by any number of worker processes on any machines.
/// </summary>
public sealed class DurablePipeline : IAsyncDisposable
{
    private readonly IOrchestrationService _service;
    private readonly IOrchestrationServiceClient _clientService;
    private readonly TaskHubWorker? _worker;
    private bool _started;

    private DurablePipeline(
        IOrchestrationService service,
        IOrchestrationServiceClient client,
        PipelineTasks? tasks,
        string description,
        ILoggerFactory? logs = null)
    {
        _service = service;
        _clientService = client;
        Client = new TaskHubClient(client, CoreDataConverter.Instance);
        Description = description;
        if (tasks is not null)
        {
            // Failure details (type, message, inner failures) reach
            // the parent orchestration, as in the SDK's own workers.
            _worker = new TaskHubWorker(service, logs ?? NullLoggerFactory.Instance)
            {
                ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails,
            };
            tasks.AddTo(_worker);
        }
    }

    public TaskHubClient Client { get; }

    /// <summary>Where the task hub is, for messages (no secrets).</summary>
    public string Description { get; }

    /// <summary>
    /// The embedded default: the Durable Task SDK's in-memory orchestration service. Nothing to
    /// start; state lives as long as the process (finished documents survive in their result blobs).
    /// </summary>
    public static DurablePipeline InMemory(PipelineTasks tasks, int concurrency = 64)
    {
        var memory = new InMemoryOrchestrationService();
        return new DurablePipeline(
            new ConcurrencyOverride(memory, concurrency, concurrency), memory, tasks, "in-process task hub");
    }

    /// <summary>
    /// A task hub in Azure Storage; without <paramref name="tasks"/>
    /// a client only (schedules, does no work).
    /// </summary>
    public static DurablePipeline OnAzureStorage(
        AzureStorageOrchestrationServiceSettings settings, PipelineTasks? tasks)
    {
        var service = new AzureStorageOrchestrationService(settings);
        return new DurablePipeline(service, service, tasks, $"task hub '{settings.TaskHubName}' in Azure Storage",
            settings.LoggerFactory);
    }

    public async Task StartAsync()
    {
        await _service.CreateIfNotExistsAsync();
        if (_worker is not null)
        {
            await _worker.StartAsync();
        }

        _started = true;
    }

    /// <summary>
    /// Schedules an instance with this id unless one is pending or running (then the caller
    /// waits for that one). A finished instance with the id is started afresh.
    /// </summary>
    public async Task<bool> ScheduleAsync<T>(string name, string instanceId, T input)
    {
        try
        {
            await Client.CreateOrchestrationInstanceAsync(name, "", instanceId, input, null,
                [OrchestrationStatus.Pending, OrchestrationStatus.Running, OrchestrationStatus.ContinuedAsNew]);
            return true;
        }
        catch (OrchestrationAlreadyExistsException)
        {
            return false;
        }
    }

    /// <summary>Waits for the instance to finish (through every ContinueAsNew) and reads its output.</summary>
    /// <summary>
    /// Waits for the instance to finish (through every ContinueAsNew)
    /// and reads its output; past the timeout, its state then.
    /// </summary>
    public async Task<InstanceOutcome<T>> WaitAsync<T>(
        string instanceId, TimeSpan timeout, CancellationToken cancel = default)
    {
        OrchestrationState? state;
        try
        {
            state = await Client.WaitForOrchestrationAsync(
                new OrchestrationInstance { InstanceId = instanceId }, timeout, cancel);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            state = null; // the in-memory service ends a timed-out wait by cancelling it
        }

        return InstanceOutcome<T>.From(instanceId, state ?? await Client.GetOrchestrationStateAsync(instanceId));
    }

    /// <summary>The instance's current state, or null when there is none.</summary>
    public async Task<InstanceOutcome<T>?> GetAsync<T>(string instanceId)
    {
        OrchestrationState? state = await Client.GetOrchestrationStateAsync(instanceId);
        return state is null ? null : InstanceOutcome<T>.From(instanceId, state);
    }

    /// <summary>Forgets a finished instance (bounded state for long-running hosts).</summary>
    public Task PurgeAsync(string instanceId) =>
        _clientService is IOrchestrationServicePurgeClient purge
            ? purge.PurgeInstanceStateAsync(instanceId)
            : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_worker is not null && _started)
        {
            await _worker.StopAsync(isForced: true);
        }

        if (_worker is null && _service is IDisposable d)
        {
            d.Dispose();
        }
    }
}

/// <summary>An instance's status and, once completed, its typed output (or its failure).</summary>
public sealed record InstanceOutcome<T>(
    string InstanceId,
    string Name,
    string Status,
    T? Output,
    string? Failure,
    string? Input,
    DateTime Created,
    DateTime LastUpdated)
{
    public bool Completed => Status == nameof(OrchestrationStatus.Completed);

    public bool Finished => Status is nameof(OrchestrationStatus.Completed)
        or nameof(OrchestrationStatus.Failed)
        or nameof(OrchestrationStatus.Terminated);

    internal static InstanceOutcome<T> From(string instanceId, OrchestrationState? state)
    {
        if (state is null)
        {
            return new InstanceOutcome<T>(
                instanceId, "", "Unknown", default, "no answer within the time allowed", null, default, default);
        }

        string status = state.OrchestrationStatus.ToString();
        T? output = state.OrchestrationStatus == OrchestrationStatus.Completed && state.Output is string json
            ? (T?)PipelineDataConverter.Instance.Deserialize(json, typeof(T))
            : default;
        string? failure = state.OrchestrationStatus is OrchestrationStatus.Failed or OrchestrationStatus.Terminated
            ? state.FailureDetails?.ErrorMessage ?? state.Output ?? status
            : null;
        return new InstanceOutcome<T>(instanceId, state.Name, status, output, failure, state.Input,
            state.CreatedTime, state.LastUpdatedTime);
    }
}
