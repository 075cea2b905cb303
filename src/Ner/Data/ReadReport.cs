namespace PaDeLLM.Ner.Data;

/// <summary>What a reader saw: counts, and in lenient mode what it skipped and why.</summary>
public sealed class ReadReport
{
    private const int MaxKeptProblems = 20;
    private readonly List<string> _problems = [];

    public int Sentences { get; internal set; }

    public int Mentions { get; internal set; }

    public int SkippedMentions { get; internal set; }

    public int SkippedLines { get; internal set; }

    /// <summary>
    /// Tag sequences that broke their scheme (an I- after O in BIO, a B- without E- in BIOES) and were read the
    /// conlleval way.
    /// </summary>
    public int RepairedTagSequences { get; internal set; }

    /// <summary>The first problems met, for a human to look at.</summary>
    public IReadOnlyList<string> Problems => _problems;

    internal void Note(string problem)
    {
        if (_problems.Count < MaxKeptProblems)
        {
            _problems.Add(problem);
        }
    }
}
