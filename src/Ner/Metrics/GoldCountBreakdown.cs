namespace PaDeLLM.Ner.Metrics;

/// <summary>
/// The paper's metric split by how many distinct gold strings a (sentence, label) pair has (0, 1, …, 5 and more):
/// per group, the pairs, the pairs given exactly as many distinct strings as gold ("counted right"), and the
/// strings found, missed and invented. A pair counts when its label is predicted or gold in the sentence (as in
/// <see cref="PaperMicroF1"/>), so group 0 holds only the pairs that invented strings. Where PaDeLLM's count step
/// fails shows here: on Resume dev the shipped model counts a label with five or more mentions right about once in
/// twenty.
/// </summary>
public sealed class GoldCountBreakdown
{
    /// <summary>Gold sizes at or above this share the last group.</summary>
    public const int Top = 5;

    private readonly Group[] _groups = Enumerable.Range(0, Top + 1).Select(_ => new Group()).ToArray();

    /// <summary>Group g holds the pairs with g distinct gold strings (the last: <see cref="Top"/> or more).</summary>
    public IReadOnlyList<Group> Groups => _groups;

    public void Add(IReadOnlyDictionary<string, List<string>> predicted, IReadOnlyDictionary<string, List<string>> gold)
    {
        foreach (string label in predicted.Keys.Union(gold.Keys))
        {
            var p = new HashSet<string>(
                predicted.TryGetValue(label, out List<string>? pl) ? pl : [], StringComparer.Ordinal);
            var g = new HashSet<string>(
                gold.TryGetValue(label, out List<string>? gl) ? gl : [], StringComparer.Ordinal);
            Group group = _groups[Math.Min(g.Count, Top)];
            group.Pairs++;
            group.CountedRight += p.Count == g.Count ? 1 : 0;
            group.Strings += PrfCounts.OfSets(p, g);
        }
    }

    /// <summary>One group's totals.</summary>
    public sealed class Group
    {
        public long Pairs { get; internal set; }

        public long CountedRight { get; internal set; }

        public PrfCounts Strings { get; internal set; }
    }
}
