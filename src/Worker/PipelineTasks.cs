using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Orchestrations;

namespace PaDeLLM.Worker;

/// <summary>
/// The pipeline's orchestrators and activities as DurableTask.Core registrations, through the
/// Durable Task SDK's own shims (the ones the Functions extension uses), so the same classes
/// run in the Function app, on self-hosted workers and embedded.
/// </summary>
public sealed class PipelineTasks(IPadellmEngine engine, BlobContainers containers)
{
    private readonly DurableTaskShimFactory _shims =
        new(new DurableTaskWorkerOptions { DataConverter = PipelineDataConverter.Instance });
    private int _activitiesRun;

    /// <summary>Activities this process has run (each attempt counts), to show what a worker did.</summary>
    public int ActivitiesRun => Volatile.Read(ref _activitiesRun);

    public void AddTo(TaskHubWorker worker)
    {
        // Orchestration shims keep state: a new one for every execution.
        worker.AddTaskOrchestrations(
            Orchestration(TaskNames.ExtractDocument, () => new ExtractDocumentOrchestrator()),
            Orchestration(TaskNames.ProcessCorpus, () => new ProcessCorpusOrchestrator()));
        worker.AddTaskActivities(
            Activity(TaskNames.CountLabel, new CountLabelActivity(engine)),
            Activity(TaskNames.ExtractMention, new ExtractMentionActivity(engine)),
            Activity(TaskNames.ReadResult, new ReadResultActivity(containers)),
            Activity(TaskNames.WriteResult, new WriteResultActivity(containers)),
            Activity(TaskNames.ExistingResults, new ExistingResultsActivity(containers)),
            Activity(TaskNames.ReadCorpus, new ReadCorpusActivity(containers)),
            Activity(TaskNames.WriteManifest, new WriteManifestActivity(containers)));
    }

    private Creator<TaskOrchestration> Orchestration(string name, Func<ITaskOrchestrator> create) =>
        new(name, () => _shims.CreateOrchestration(name, create()));

    private Creator<DurableTask.Core.TaskActivity> Activity(string name, ITaskActivity activity) =>
        new(name, () => _shims.CreateActivity(
            name, new Counted(activity, () => Interlocked.Increment(ref _activitiesRun))));

    private sealed class Counted(ITaskActivity inner, Action onRun) : ITaskActivity
    {
        public Type InputType => inner.InputType;

        public Type OutputType => inner.OutputType;

        public Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            onRun();
            return inner.RunAsync(context, input);
        }
    }

    private sealed class Creator<T> : ObjectCreator<T>
    {
        private readonly Func<T> _create;

        public Creator(string name, Func<T> create)
        {
            Name = name;
            Version = "";
            _create = create;
        }

        public override T Create() => _create();
    }
}
