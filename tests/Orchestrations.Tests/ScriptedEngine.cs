using System.Collections.Concurrent;
using PaDeLLM.Contracts.Engine;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Orchestrations.Tests;

/// <summary>
/// An engine whose answers are a pure function of the text, so that expected results can be
/// computed independently: a text's words that start with the label's letter are its mentions
/// (PER: 'P…', LOC: 'L…'), and the word "Both" is a mention of each, more probable as LOC; a
/// text containing "BROKEN" fails every call; "GARBLED" gives unreadable counts; in an "ECHO" text the second
/// mention of a label repeats the first, and a mention decoded again is the first of the label's words that it
/// may give (not avoided, starting in its window). Every call is logged.
/// </summary>
internal sealed class ScriptedEngine : IPadellmEngine
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public string ModelName => "scripted";

    public static string[] Mentions(string text, string label) =>
        text.Split(' ').Where(w => w.Length > 1 && (w[0] == label[0] || w == "Both")).Distinct().ToArray();

    public Task<IReadOnlyList<CountAnswer>> CountAsync(
        string text, LabelSchema schema, CancellationToken cancel = default)
    {
        Calls.Enqueue($"count {string.Join(",", schema.Keys)}");
        if (text.Contains("BROKEN", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("the model host crashed");
        }

        return Task.FromResult<IReadOnlyList<CountAnswer>>(schema.Labels.Select(l =>
            text.Contains("GARBLED", StringComparison.Ordinal)
                ? new CountAnswer(l.Key, null, "NotANumber: 'x'", 2, ModelName)
                : new CountAnswer(l.Key, Mentions(text, l.Key).Length, null, 2, ModelName)).ToList());
    }

    public Task<MentionAnswer> MentionAsync(
        string text, LabelSchema schema, MentionCall call, CancellationToken cancel = default)
    {
        string[] words = Mentions(text, call.Label);
        string mention;
        if (call.Again is RepeatBars bars)
        {
            Calls.Enqueue($"mention {call.Label} {call.K}/{call.Count} again avoid={string.Join(",", bars.Avoid)} "
                + $"from={bars.From} before={bars.Before}");
            mention = words.First(w => !bars.Avoid.Contains(w)
                && text.IndexOf(w, StringComparison.Ordinal) >= (bars.From ?? 0)
                && text.IndexOf(w, StringComparison.Ordinal) < (bars.Before ?? text.Length));
        }
        else
        {
            Calls.Enqueue($"mention {call.Label} {call.K}/{call.Count}");
            mention = words[text.Contains("ECHO", StringComparison.Ordinal) && call.K == 2 ? 0 : call.K - 1];
        }

        double logProbability = mention != "Both" ? -0.1 * call.K : call.Label == "LOC" ? -0.5 : -2.0;
        return Task.FromResult(new MentionAnswer(call.Label, call.K, mention, logProbability, null, mention.Length));
    }
}
