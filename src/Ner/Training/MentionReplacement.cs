using PaDeLLM.Ner.Data;

namespace PaDeLLM.Ner.Training;

/// <summary>
/// Mention replacement (Dai and Adel, 2020, "An Analysis of Simple Data Augmentation for Named Entity
/// Recognition"): a copy of a training sentence in which each mention is, with a given probability,
/// replaced by another of the training set's strings of the same label. A model trained from scratch
/// learns names by heart from a few thousand sentences; new names in the same contexts teach it to
/// read the context and copy what is there instead. Mentions that overlap another mention (nested
/// corpora) stay as they are, so every copy keeps its annotation exact.
/// </summary>
public sealed class MentionReplacement
{
    private readonly Dictionary<string, string[]> _surfaces;
    private readonly double _probability;

    /// <summary>
    /// The replacement pool is the distinct surfaces of each label in <paramref name="pool"/>, drawn
    /// uniformly: frequent names are not favoured, so the copies carry as many different names as the
    /// data has.
    /// </summary>
    public MentionReplacement(IEnumerable<Sentence> pool, double probability)
    {
        if (probability is < 0 or > 1 || double.IsNaN(probability))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "a probability is in [0, 1]");
        }

        _probability = probability;
        _surfaces = pool
            .SelectMany(s => s.Mentions)
            .GroupBy(m => m.Label, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.Select(m => m.Surface).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
                StringComparer.Ordinal);
    }

    /// <summary>The strings a mention of <paramref name="label"/> may be replaced by (empty when none).</summary>
    public IReadOnlyList<string> SurfacesOf(string label) =>
        _surfaces.TryGetValue(label, out string[]? s) ? s : [];

    /// <summary>
    /// A copy of <paramref name="sentence"/> with its replaceable mentions replaced, each with the
    /// probability given; the text between mentions is unchanged and every span is moved to its new place.
    /// </summary>
    public Sentence Apply(Sentence sentence, Random random)
    {
        GoldMention[] ordered = [.. sentence.InTextOrder()];
        var replacement = new string?[ordered.Length];
        for (int i = 0; i < ordered.Length; i++)
        {
            GoldMention m = ordered[i];
            bool alone = !ordered.Where((o, j) => j != i && o.Span.Start < m.Span.End && m.Span.Start < o.Span.End)
                .Any();
            // Two draws per mention whatever the outcome: the stream's use does not depend on the choices.
            double roll = random.NextDouble();
            int pick = random.Next();
            IReadOnlyList<string> choices = SurfacesOf(m.Label);
            if (alone && roll < _probability && choices.Count > 0)
            {
                replacement[i] = choices[pick % choices.Count];
            }
        }

        if (replacement.All(r => r is null))
        {
            return sentence;
        }

        // Replaced mentions overlap no other mention, so each other mention lies wholly before or after
        // one, and moves by what the replacements before it added.
        var text = new System.Text.StringBuilder(sentence.Text.Length);
        var mentions = new GoldMention[ordered.Length];
        int from = 0;
        for (int i = 0; i < ordered.Length; i++)
        {
            GoldMention m = ordered[i];
            int shift = 0;
            for (int j = 0; j < ordered.Length; j++)
            {
                if (replacement[j] is string r && ordered[j].Span.End <= m.Span.Start && j != i)
                {
                    shift += r.Length - ordered[j].Span.Length;
                }
            }

            if (replacement[i] is string surface)
            {
                text.Append(sentence.Text, from, m.Span.Start - from).Append(surface);
                from = m.Span.End;
                int start = m.Span.Start + shift;
                mentions[i] = m with { Surface = surface, Span = new CharSpan(start, start + surface.Length) };
            }
            else
            {
                mentions[i] = m with { Span = new CharSpan(m.Span.Start + shift, m.Span.End + shift) };
            }
        }

        text.Append(sentence.Text, from, sentence.Text.Length - from);
        return sentence with { Text = text.ToString(), Mentions = mentions };
    }

    /// <summary>
    /// <paramref name="copies"/> replaced copies of every sentence, in order (all sentences' first copy, then
    /// their second, …), the same for the same seed: a resumed run rebuilds the same rows.
    /// </summary>
    public IEnumerable<Sentence> Copies(IReadOnlyList<Sentence> sentences, int copies, int seed)
    {
        var random = new Random(seed);
        for (int c = 0; c < copies; c++)
        {
            foreach (Sentence s in sentences)
            {
                yield return Apply(s, random);
            }
        }
    }
}
