using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Extraction;

/// <summary>
/// The two PaDeLLM steps as calls, what the count and mention activities need: in process
/// (<see cref="PadellmEngineService"/>) or over HTTP to a GPU host.
/// </summary>
public interface IPadellmEngine
{
    /// <summary>The model's name (its directory's name), recorded in every result.</summary>
    string ModelName { get; }

    /// <summary>Every label's count for the text, in the schema's order.</summary>
    Task<IReadOnlyList<CountAnswer>> CountAsync(string text, LabelSchema schema, CancellationToken cancel = default);

    /// <summary>The k-th of <paramref name="count"/> mentions of <paramref name="label"/>.</summary>
    Task<MentionAnswer> MentionAsync(string text, LabelSchema schema, string label, int count, int k, CancellationToken cancel = default);
}
