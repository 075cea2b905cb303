using Microsoft.DurableTask;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Orchestrations;

/// <summary>
/// The algorithm's steps as activity fan-outs: a CountLabel
/// per label, then an ExtractMention per (label, k).
/// </summary>
internal sealed class ActivitySteps(TaskOrchestrationContext context, SchemaSpec schema) : IPadellmSteps
{
    public async Task<IReadOnlyList<CountAnswer>> CountAsync(string text, LabelSchema labels) =>
        await Task.WhenAll(labels.Labels.Select(l => context.CallActivityAsync<CountAnswer>(
            TaskNames.CountLabel, new CountRequest(text, schema, l.Key), ExtractDocumentOrchestrator.Retry)));

    public async Task<IReadOnlyList<MentionAnswer>> MentionAsync(
        string text, LabelSchema labels, IReadOnlyList<MentionCall> calls) =>
        await Task.WhenAll(calls.Select(c => context.CallActivityAsync<MentionAnswer>(
            TaskNames.ExtractMention, MentionRequest.For(text, schema, c),
            ExtractDocumentOrchestrator.Retry)));
}
