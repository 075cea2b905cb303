using PaDeLLM.Ner.Aggregation;

namespace PaDeLLM.Ner.Algorithm;

/// <summary>
/// The k-th mentions that repeat another k of their label: decoded in parallel, two slots of a long list can
/// land on the same string, which the merge then keeps once, so a counted mention is lost. A string is a repeat
/// when more slots hold it than it has occurrences in the text (a name written twice may fill two slots); the
/// most probable of its slots keep it, and the others are to be decoded again, barred from every string
/// their label already holds and kept to their place in text order (<see cref="RepeatBars"/>).
/// </summary>
public static class RepeatedSlots
{
    /// <summary>The calls to decode again, each with its <see cref="MentionCall.Again"/> bars.</summary>
    /// <param name="answers">Step 2's answers, one per call in the calls' order.</param>
    public static IReadOnlyList<MentionCall> Find(
        string text, IReadOnlyList<MentionCall> calls, IReadOnlyList<MentionAnswer> answers)
    {
        var again = new List<(int At, MentionCall Call)>();
        var slots = calls.Select((c, i) => (At: i, Call: c, Answer: answers[i]))
            .Where(s => s.Answer.Mention is not null);
        foreach (var label in slots.GroupBy(s => s.Call.Label, StringComparer.Ordinal))
        {
            string[] taken = label.Select(s => s.Answer.Mention!).Distinct(StringComparer.Ordinal).ToArray();
            var redo = new List<(int At, MentionCall Call)>();
            foreach (var same in label.GroupBy(s => s.Answer.Mention!, StringComparer.Ordinal))
            {
                int room = Math.Max(1, SpanLocator.FindAll(text, same.Key).Count);
                redo.AddRange(same
                    .OrderByDescending(s => s.Answer.LogProbability).ThenBy(s => s.Call.K)
                    .Skip(room)
                    .Select(s => (s.At, s.Call)));
            }

            // Mentions are numbered in text order: the k-th starts after the kept k below it, before those above.
            var anchors = label.Where(s => redo.All(r => r.At != s.At))
                .Select(s => (s.Call.K, Start: text.IndexOf(s.Answer.Mention!, StringComparison.Ordinal)))
                .Where(a => a.Start >= 0).ToList();
            foreach ((int at, MentionCall call) in redo)
            {
                int? from = anchors.Where(a => a.K < call.K).Select(a => (int?)(a.Start + 1)).Max();
                int? before = anchors.Where(a => a.K > call.K).Select(a => (int?)a.Start).Min();
                again.Add((at, call with { Again = new RepeatBars(taken, from, before) }));
            }
        }

        return again.OrderBy(a => a.At).Select(a => a.Call).ToList();
    }
}
