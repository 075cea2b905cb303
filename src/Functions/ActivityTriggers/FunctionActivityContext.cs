using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace PaDeLLM.Functions.ActivityTriggers;

/// <summary>
/// The <see cref="TaskActivityContext"/> the activity classes take, for an activity that runs as
/// a Functions <c>[ActivityTrigger]</c> (which hands its function a FunctionContext instead).
/// </summary>
internal sealed class FunctionActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId;

    /// <summary>The activity's name and its orchestration's instance id, from the trigger's binding data.</summary>
    public static FunctionActivityContext For(string name, FunctionContext function)
    {
        ArgumentNullException.ThrowIfNull(function);
        string instanceId = function.BindingContext.BindingData.TryGetValue("instanceId", out object? id)
            && id is string s ? s.Trim('"') : "";
        return new FunctionActivityContext(name, instanceId);
    }
}
