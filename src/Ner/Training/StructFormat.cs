using System.Text;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Parsing;

namespace PaDeLLM.Ner.Training;

/// <summary>
/// AutoReg_Struct (the paper's Table 1): one target per sentence,
/// <c>((PER): (Cuttitta), (MISC): (1995 World Cup), (ORG): (NULL))</c> — mentions in text
/// order, then <c>(LABEL): (NULL)</c> for each label without mentions, in label order.
/// </summary>
public sealed class StructFormat(LabelSchema schema) : ITrainingFormat
{
    public const string Null = "NULL";

    public string Name => "struct";

    public IEnumerable<TrainingExample> Reformulate(Sentence sentence, int sentenceIndex)
    {
        yield return new TrainingExample(sentenceIndex, null, AutoregPrompt.Struct(sentence.Text, schema.Language),
            Render(sentence));
    }

    public string Render(Sentence sentence)
    {
        var items = new List<(string Label, string Mention)>();
        foreach (GoldMention m in sentence.InTextOrder())
        {
            items.Add((schema.Get(m.Label).PromptName, m.Surface));
        }

        foreach (EntityLabel label in schema.Labels)
        {
            if (!sentence.Mentions.Any(m => m.Label == label.Key))
            {
                items.Add((label.PromptName, Null));
            }
        }

        var sb = new StringBuilder("(");
        for (int i = 0; i < items.Count; i++)
        {
            sb.Append(i == 0 ? "(" : ", (").Append(items[i].Label).Append("): (").Append(items[i].Mention).Append(')');
        }

        return sb.Append(')').ToString();
    }

    public Parsed<List<LabeledMention>> ParseTargets(IReadOnlyList<TrainingExample> examples)
    {
        var all = new List<LabeledMention>();
        foreach (TrainingExample ex in examples)
        {
            Parsed<List<LabeledMention>> one = Parse(ex.Target);
            if (!one.Ok)
            {
                return one;
            }

            all.AddRange(one.Value);
        }

        return Parsed<List<LabeledMention>>.Success(all);
    }

    /// <summary>
    /// Parses a target. Items are split only at <c>), (LABEL): (</c> with a known label name,
    /// so mentions may themselves contain parentheses and commas (GENIA's often do).
    /// </summary>
    public Parsed<List<LabeledMention>> Parse(string target)
    {
        if (target.Length < 4 || !target.StartsWith("((", StringComparison.Ordinal)
            || !target.EndsWith("))", StringComparison.Ordinal))
        {
            return Parsed<List<LabeledMention>>.Fail(ParseFailureKind.Malformed,
                "a struct target starts with \"((\" and ends with \"))\"");
        }

        string inner = target[1..^1]; // "(L): (m), (L): (m)"
        var result = new List<LabeledMention>();
        int pos = 0;
        while (true)
        {
            if (pos >= inner.Length || inner[pos] != '(')
            {
                return Parsed<List<LabeledMention>>.Fail(ParseFailureKind.Malformed,
                    $"expected \"(LABEL): (\" at offset {pos + 1}");
            }

            EntityLabel? label = MatchLabelHead(inner, pos, out int mentionStart);
            if (label is null)
            {
                return Parsed<List<LabeledMention>>.Fail(ParseFailureKind.UnknownLabel,
                    $"no known label at offset {pos + 1} (labels: "
                    + $"{string.Join(", ", schema.Labels.Select(l => l.PromptName))})");
            }

            int end = FindItemEnd(inner, mentionStart, out int next);
            if (end < 0)
            {
                return Parsed<List<LabeledMention>>.Fail(ParseFailureKind.Malformed,
                    $"mention of {label.Key} at offset {mentionStart + 1} is not closed");
            }

            string mention = inner[mentionStart..end];
            if (mention.Length == 0)
            {
                return Parsed<List<LabeledMention>>.Fail(ParseFailureKind.Empty, $"empty mention of {label.Key}");
            }

            if (mention != Null)
            {
                result.Add(new LabeledMention(label.Key, mention));
            }

            if (next < 0)
            {
                return Parsed<List<LabeledMention>>.Success(result);
            }

            pos = next;
        }
    }

    // At inner[pos] == '(': matches "(NAME): (" and returns the label.
    private EntityLabel? MatchLabelHead(string inner, int pos, out int mentionStart)
    {
        mentionStart = -1;
        int close = inner.IndexOf("): (", pos, StringComparison.Ordinal);
        while (close > pos)
        {
            EntityLabel? label = schema.FindByPromptName(inner[(pos + 1)..close]);
            if (label is not null)
            {
                mentionStart = close + 4;
                return label;
            }

            // Names contain no parentheses, so a longer candidate cannot match either.
            return null;
        }

        return null;
    }

    // Finds where the mention starting at 'start' ends: before "), (" + known label + "): (",
    // or before the final ")". 'next' is the next item's '(' or -1 at the end.
    private int FindItemEnd(string inner, int start, out int next)
    {
        int search = start;
        while (true)
        {
            int sep = inner.IndexOf("), (", search, StringComparison.Ordinal);
            if (sep < 0)
            {
                break;
            }

            if (MatchLabelHead(inner, sep + 3, out _) is not null)
            {
                next = sep + 3;
                return sep;
            }

            search = sep + 1;
        }

        next = -1;
        return inner.Length > start && inner[^1] == ')' ? inner.Length - 1 : -1;
    }
}
