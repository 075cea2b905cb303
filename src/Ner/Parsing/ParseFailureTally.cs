using System.Collections.Concurrent;

namespace PaDeLLM.Ner.Parsing;

/// <summary>Counts parse failures by kind across a run, keeping a few examples for the report. Thread-safe.</summary>
public sealed class ParseFailureTally
{
    private readonly ConcurrentDictionary<ParseFailureKind, int> _counts = new();
    private readonly ConcurrentQueue<ParseFailure> _examples = new();

    public int Total => _counts.Values.Sum();

    public IReadOnlyDictionary<ParseFailureKind, int> Counts => _counts;

    public IEnumerable<ParseFailure> Examples => _examples;

    public void Add(ParseFailure failure)
    {
        _counts.AddOrUpdate(failure.Kind, 1, (_, n) => n + 1);
        if (_examples.Count < 10)
        {
            _examples.Enqueue(failure);
        }
    }

    public override string ToString() =>
        Total == 0 ? "no parse failures"
            : string.Join(", ", _counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"));
}
