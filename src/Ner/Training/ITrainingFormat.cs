using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Parsing;

namespace PaDeLLM.Ner.Training;

/// <summary>
/// A way of turning annotated sentences into training sequences, and model outputs back into mentions.
/// </summary>
public interface ITrainingFormat
{
    /// <summary>padellm, struct or aug.</summary>
    string Name { get; }

    IEnumerable<TrainingExample> Reformulate(Sentence sentence, int sentenceIndex);

    /// <summary>
    /// Reads the mentions back from the targets of one sentence's examples (a multiset, in target order).
    /// </summary>
    Parsed<List<LabeledMention>> ParseTargets(IReadOnlyList<TrainingExample> examples);
}
