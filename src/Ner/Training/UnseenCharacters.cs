using PaDeLLM.Ner.Data;

namespace PaDeLLM.Ner.Training;

/// <summary>
/// Characters the tokenizer has no piece for, written into training sentences. A from-scratch model meets such a
/// character only as its UTF-8 bytes (byte fallback) and almost never in training, so it copies a name that holds
/// one with a probability near 0, and takes an unknown symbol where a name would stand for the name. Copies of the
/// training sentences in which, with a given probability, one letter of a mention and one letter of the text
/// outside the mentions are swapped for such characters teach it to read and copy byte runs like any other.
/// Swaps keep the text's length (the pool holds characters of one UTF-16 unit), so every span stays where it was;
/// a mention's surface is read again from the new text, nested mentions included.
/// </summary>
public sealed class UnseenCharacters
{
    private readonly char[] _pool;
    private readonly double _probability;

    /// <param name="pool">The characters to write in: ones the tokenizer lacks, each one UTF-16 unit.</param>
    /// <param name="probability">The chance that a mention, and the text outside the mentions, gets one.</param>
    public UnseenCharacters(IEnumerable<char> pool, double probability)
    {
        if (probability is < 0 or > 1 || double.IsNaN(probability))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "a probability is in [0, 1]");
        }

        _pool = [.. pool.Distinct().Order()];
        char[] halves = [.. _pool.Where(char.IsSurrogate)];
        if (halves.Length > 0)
        {
            throw new ArgumentException(
                $"U+{(int)halves[0]:X4} is half of a surrogate pair, not a character of one UTF-16 unit", nameof(pool));
        }

        _probability = probability;
    }

    /// <summary>The characters written in, in code-point order.</summary>
    public IReadOnlyList<char> Pool => _pool;

    /// <summary>
    /// <paramref name="sentence"/> with, each with the probability given, one letter of each mention and one
    /// letter outside all mentions swapped for a character of the pool; the sentence itself when none is.
    /// </summary>
    public Sentence Apply(Sentence sentence, Random random)
    {
        if (_pool.Length == 0)
        {
            return sentence;
        }

        char[] text = sentence.Text.ToCharArray();
        bool changed = false;
        bool[] inMention = new bool[text.Length];
        foreach (GoldMention m in sentence.Mentions)
        {
            inMention.AsSpan(m.Span.Start, m.Span.Length).Fill(true);
        }

        foreach (GoldMention m in sentence.InTextOrder())
        {
            changed |= Swap(text, Letters(text, m.Span.Start, m.Span.End, _ => true), random);
        }

        changed |= Swap(text, Letters(text, 0, text.Length, i => !inMention[i]), random);
        if (!changed)
        {
            return sentence;
        }

        string swapped = new(text);
        return sentence with
        {
            Text = swapped,
            Mentions = [.. sentence.Mentions.Select(m => m with { Surface = swapped[m.Span.Start..m.Span.End] })],
        };
    }

    /// <summary>
    /// Every sentence once, in order, the same for the same seed: a resumed run rebuilds the same rows.
    /// </summary>
    public IEnumerable<Sentence> Apply(IEnumerable<Sentence> sentences, int seed)
    {
        var random = new Random(seed);
        foreach (Sentence s in sentences)
        {
            yield return Apply(s, random);
        }
    }

    private static List<int> Letters(char[] text, int from, int to, Func<int, bool> where)
    {
        var at = new List<int>();
        for (int i = from; i < to; i++)
        {
            if (char.IsLetter(text[i]) && !char.IsSurrogate(text[i]) && where(i))
            {
                at.Add(i);
            }
        }

        return at;
    }

    private bool Swap(char[] text, List<int> letters, Random random)
    {
        // Three draws whatever the outcome: the stream's use does not depend on the choices.
        double roll = random.NextDouble();
        int where = random.Next(), what = random.Next();
        if (roll >= _probability || letters.Count == 0)
        {
            return false;
        }

        text[letters[where % letters.Count]] = _pool[what % _pool.Length];
        return true;
    }
}
