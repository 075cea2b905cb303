using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Contracts.Engine;

/// <summary>The algorithm's steps on an engine directly: every count in one call, every mention call at once.</summary>
public sealed class EngineSteps(IPadellmEngine engine, CancellationToken cancel = default) : IPadellmSteps
{
    public Task<IReadOnlyList<CountAnswer>> CountAsync(string text, LabelSchema schema) =>
        engine.CountAsync(text, schema, cancel);

    public async Task<IReadOnlyList<MentionAnswer>> MentionAsync(
        string text, LabelSchema schema, IReadOnlyList<MentionCall> calls) =>
        await Task.WhenAll(calls.Select(c => engine.MentionAsync(text, schema, c, cancel)));
}
