using System.Text;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Parsing;

namespace PaDeLLM.Ner.Training;

/// <summary>
/// AutoReg_Aug: the text with each mention replaced by <c>[mention LABEL]</c>. Nested mentions
/// nest (<c>[[IL-2 gene DNA] expression protein]</c>). Our extension, so that every sentence
/// round-trips: a literal <c>[</c>, <c>]</c> or <c>\</c> of the text is escaped with <c>\</c>.
/// </summary>
public sealed class AugFormat(LabelSchema schema) : ITrainingFormat
{
    public string Name => "aug";

    public IEnumerable<TrainingExample> Reformulate(Sentence sentence, int sentenceIndex)
    {
        yield return new TrainingExample(sentenceIndex, null, AutoregPrompt.Aug(sentence.Text, schema.Language),
            Render(sentence));
    }

    public string Render(Sentence sentence)
    {
        // Open outer mentions first; close inner ones first. Same-span mentions nest in label order.
        var ordered = sentence.Mentions
            .OrderBy(m => m.Span.Start).ThenByDescending(m => m.Span.End).ThenBy(m => schema.IndexOf(m.Label))
            .Select((m, i) => (Mention: m, Order: i))
            .ToArray();
        var closes = ordered.OrderBy(x => x.Mention.Span.End).ThenByDescending(x => x.Order).ToArray();
        string text = sentence.Text;
        var sb = new StringBuilder(text.Length + (ordered.Length * 8));
        int open = 0, close = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            while (close < closes.Length && closes[close].Mention.Span.End == i)
            {
                sb.Append(' ').Append(schema.Get(closes[close].Mention.Label).PromptName).Append(']');
                close++;
            }

            while (open < ordered.Length && ordered[open].Mention.Span.Start == i)
            {
                sb.Append('[');
                open++;
            }

            if (i < text.Length)
            {
                char c = text[i];
                if (c is '[' or ']' or '\\')
                {
                    sb.Append('\\');
                }

                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    public Parsed<List<LabeledMention>> ParseTargets(IReadOnlyList<TrainingExample> examples)
    {
        var all = new List<LabeledMention>();
        foreach (TrainingExample ex in examples)
        {
            Parsed<(List<LabeledMention> Mentions, string Text)> one = Parse(ex.Target);
            if (!one.Ok)
            {
                return one.Failure;
            }

            all.AddRange(one.Value.Mentions);
        }

        return Parsed<List<LabeledMention>>.Success(all);
    }

    /// <summary>Parses an annotated text into its mentions (in text order) and the plain text.</summary>
    public Parsed<(List<LabeledMention> Mentions, string Text)> Parse(string annotated)
    {
        var plain = new StringBuilder(annotated.Length);
        var opens = new Stack<int>();
        var mentions = new List<(int Start, int End, LabeledMention Mention)>();
        for (int i = 0; i < annotated.Length; i++)
        {
            char c = annotated[i];
            switch (c)
            {
                case '\\':
                    if (i + 1 >= annotated.Length)
                    {
                        return Parsed<(List<LabeledMention>, string)>.Fail(ParseFailureKind.Malformed,
                            "dangling escape at the end");
                    }

                    plain.Append(annotated[++i]);
                    break;
                case '[':
                    opens.Push(plain.Length);
                    break;
                case ']':
                    if (opens.Count == 0)
                    {
                        return Parsed<(List<LabeledMention>, string)>.Fail(ParseFailureKind.Malformed,
                            $"unmatched ']' at offset {i}");
                    }

                    int start = opens.Pop();
                    string segment = plain.ToString(start, plain.Length - start);
                    int space = segment.LastIndexOf(' ');
                    if (space <= 0)
                    {
                        return Parsed<(List<LabeledMention>, string)>.Fail(ParseFailureKind.Malformed,
                            $"bracket closed at offset {i} has no \"mention LABEL\"");
                    }

                    string name = segment[(space + 1)..];
                    EntityLabel? label = schema.FindByPromptName(name);
                    if (label is null)
                    {
                        return Parsed<(List<LabeledMention>, string)>.Fail(ParseFailureKind.UnknownLabel,
                            $"label '{name}' at offset {i} is not in schema {schema}");
                    }

                    mentions.Add((start, start + space, new LabeledMention(label.Key, segment[..space])));
                    plain.Length = start + space; // drop " LABEL" from the text
                    break;
                default:
                    plain.Append(c);
                    break;
            }
        }

        if (opens.Count > 0)
        {
            return Parsed<(List<LabeledMention>, string)>.Fail(ParseFailureKind.Malformed,
                $"{opens.Count} '[' not closed");
        }

        // Text order as Sentence.InTextOrder: by start, outer (longer) first.
        List<LabeledMention> inOrder = mentions.OrderBy(m => m.Start).ThenByDescending(m => m.End)
            .Select(m => m.Mention).ToList();
        return Parsed<(List<LabeledMention>, string)>.Success((inOrder, plain.ToString()));
    }
}
