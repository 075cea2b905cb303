using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Parsing;

namespace PaDeLLM.Ner.Training;

/// <summary>
/// Two formats' examples of each sentence in one training row (<c>padellm+aug</c>): the model is
/// the primary format's (its prompts at inference, its dev scores); the auxiliary format's
/// examples are extra supervision. AutoReg_Aug's target rewrites the whole sentence with its
/// mentions marked, so every token of it teaches reading and marking spans, which PaDeLLM's short
/// targets teach slowly from scratch (docs/results, "Table 3 at the end of an equal schedule").
/// Packed, both share the encoded text header.
/// </summary>
public sealed class MixedFormat(ITrainingFormat primary, ITrainingFormat auxiliary) : ITrainingFormat
{
    public string Name => $"{primary.Name}+{auxiliary.Name}";

    public ITrainingFormat Primary => primary;

    /// <summary>The primary's examples, then the auxiliary's, each marked by its format's name.</summary>
    public IEnumerable<TrainingExample> Reformulate(Sentence sentence, int sentenceIndex) =>
        primary.Reformulate(sentence, sentenceIndex).Select(e => e with { Format = primary.Name })
            .Concat(auxiliary.Reformulate(sentence, sentenceIndex).Select(e => e with { Format = auxiliary.Name }));

    /// <summary>
    /// The primary's mentions; the auxiliary's must be the same multiset, or the targets are
    /// inconsistent (a row teaching two different answers for one sentence).
    /// </summary>
    public Parsed<List<LabeledMention>> ParseTargets(IReadOnlyList<TrainingExample> examples)
    {
        Parsed<List<LabeledMention>> main = primary.ParseTargets(
            examples.Where(e => e.Format == primary.Name).ToList());
        Parsed<List<LabeledMention>> aux = auxiliary.ParseTargets(
            examples.Where(e => e.Format == auxiliary.Name).ToList());
        if (!main.Ok || !aux.Ok)
        {
            return main.Ok ? aux : main;
        }

        static IEnumerable<LabeledMention> Sorted(List<LabeledMention> m) =>
            m.OrderBy(x => x.Label, StringComparer.Ordinal).ThenBy(x => x.Text, StringComparer.Ordinal);
        return Sorted(main.Value).SequenceEqual(Sorted(aux.Value))
            ? main
            : Parsed<List<LabeledMention>>.Fail(ParseFailureKind.Malformed,
                $"the {auxiliary.Name} targets name other mentions than the {primary.Name} targets");
    }
}
