using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Ner.Algorithm;

/// <summary>
/// PaDeLLM's two parallel steps, as whoever runs the decoder provides them: one process's
/// prefix-tree batch, a model host behind HTTP, or a durable orchestrator's activity fan-out.
/// <see cref="PadellmAlgorithm"/> is written once over this seam.
/// </summary>
public interface IPadellmSteps
{
    /// <summary>Step 1: every label's count for the text, one answer per label in schema order.</summary>
    Task<IReadOnlyList<CountAnswer>> CountAsync(string text, LabelSchema schema);

    /// <summary>Step 2: every (label, k) mention, one answer per call in the calls' order.</summary>
    Task<IReadOnlyList<MentionAnswer>> MentionAsync(string text, LabelSchema schema, IReadOnlyList<MentionCall> calls);
}
