using PaDeLLM.Ner.Data;

namespace PaDeLLM.Ner.Aggregation;

/// <summary>
/// One extracted entity: its label, its text, its probability and every place the text
/// occurs in the sentence. A prediction not found in the text is kept with no spans.
/// </summary>
public sealed record ExtractedEntity(string Label, string Text, double Probability, int K,
    IReadOnlyList<CharSpan> Spans)
{
    public bool FoundInText => Spans.Count > 0;
}

/// <summary>The merged, de-duplicated result of one sentence.</summary>
public sealed record ExtractionResult(string Text, IReadOnlyList<ExtractedEntity> Entities)
{
    /// <summary>Entities whose text is not in the sentence (the model invented or altered it).</summary>
    public IEnumerable<ExtractedEntity> Unresolved => Entities.Where(e => !e.FoundInText);

    /// <summary>The predicted strings of each label, the unit of the paper's metric.</summary>
    public Dictionary<string, List<string>> StringsByLabel()
    {
        var d = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (ExtractedEntity e in Entities)
        {
            if (!d.TryGetValue(e.Label, out List<string>? list))
            {
                d[e.Label] = list = [];
            }

            list.Add(e.Text);
        }

        return d;
    }
}
