using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Contracts.Engine;

/// <summary>
/// The model behind the count and mention activities, one call per PaDeLLM step so that a
/// durable orchestrator can fan them out: in this process, or a model host over HTTP
/// (<see cref="HttpPadellmEngine"/>).
/// </summary>
public interface IPadellmEngine
{
    /// <summary>The model's name (its directory's name), recorded in every result.</summary>
    string ModelName { get; }

    /// <summary>Every label's count for the text, in the schema's order.</summary>
    Task<IReadOnlyList<CountAnswer>> CountAsync(string text, LabelSchema schema, CancellationToken cancel = default);

    /// <summary>One (label, k) mention.</summary>
    Task<MentionAnswer> MentionAsync(
        string text, LabelSchema schema, MentionCall call, CancellationToken cancel = default);
}
