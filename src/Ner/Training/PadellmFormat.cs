using System.Globalization;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Parsing;
using PaDeLLM.Ner.Prompts;

namespace PaDeLLM.Ner.Training;

/// <summary>
/// The PaDeLLM reformulation: per label, one example per mention with target
/// <c>{n}\n&lt;mention k&gt;{mention}</c>+EOS, or a single <c>0</c>+EOS example — so a sentence
/// yields Σ_labels max(1, n_label) examples. Mentions are numbered in text order.
/// </summary>
public sealed class PadellmFormat(LabelSchema schema, LossSpan lossSpan = LossSpan.FromCount) : ITrainingFormat
{
    public string Name => "padellm";

    public LabelSchema Schema => schema;

    public IEnumerable<TrainingExample> Reformulate(Sentence sentence, int sentenceIndex)
    {
        foreach (EntityLabel label in schema.Labels)
        {
            string prompt = CountPrompt.Build(sentence.Text, label, schema.Language);
            IReadOnlyList<GoldMention> mentions = sentence.MentionsOf(label.Key);
            if (mentions.Count == 0)
            {
                yield return new TrainingExample(sentenceIndex, label.Key, prompt, "0") { CountLength = 1 };
                continue;
            }

            for (int k = 1; k <= mentions.Count; k++)
            {
                string head = MentionPrompt.Continuation(schema.Language, mentions.Count, k);
                int lossStart = lossSpan == LossSpan.MentionOnly ? head.Length : 0;
                yield return new TrainingExample(
                    sentenceIndex, label.Key, prompt, head + mentions[k - 1].Surface, LossStart: lossStart)
                {
                    CountLength = mentions.Count.ToString(CultureInfo.InvariantCulture).Length,
                };
            }
        }
    }

    public Parsed<List<LabeledMention>> ParseTargets(IReadOnlyList<TrainingExample> examples)
    {
        PromptTemplate template = PromptTemplate.For(schema.Language);
        var byLabel = new Dictionary<string, (int Count, SortedDictionary<int, string> Mentions)>();
        foreach (TrainingExample ex in examples)
        {
            if (!CountPrompt.TryParse(ex.Prompt, schema.Language, out _, out string promptName))
            {
                return Parsed<List<LabeledMention>>.Fail(ParseFailureKind.Malformed, "prompt is not a count prompt");
            }

            EntityLabel? label = schema.FindByPromptName(promptName);
            if (label is null)
            {
                return Parsed<List<LabeledMention>>.Fail(ParseFailureKind.UnknownLabel,
                    $"label '{promptName}' is not in schema {schema}");
            }

            Parsed<(int N, int K, string? Mention)> target = ParseTarget(ex.Target, template);
            if (!target.Ok)
            {
                return target.Failure;
            }

            (int n, int k, string? mention) = target.Value;
            if (!byLabel.TryGetValue(label.Key, out var entry))
            {
                entry = (n, new SortedDictionary<int, string>());
                byLabel[label.Key] = entry;
            }
            else if (entry.Count != n)
            {
                return Parsed<List<LabeledMention>>.Fail(ParseFailureKind.Malformed,
                    $"label {label.Key} has counts {entry.Count} and {n}");
            }

            if (mention is not null && !entry.Mentions.TryAdd(k, mention))
            {
                return Parsed<List<LabeledMention>>.Fail(ParseFailureKind.Malformed,
                    $"label {label.Key} has mention {k} twice");
            }
        }

        var result = new List<LabeledMention>();
        foreach (EntityLabel label in schema.Labels)
        {
            if (!byLabel.TryGetValue(label.Key, out var entry))
            {
                continue;
            }

            if (entry.Mentions.Count != entry.Count)
            {
                return Parsed<List<LabeledMention>>.Fail(ParseFailureKind.Malformed,
                    $"label {label.Key} announces {entry.Count} mentions but has {entry.Mentions.Count}");
            }

            result.AddRange(entry.Mentions.Values.Select(m => new LabeledMention(label.Key, m)));
        }

        return Parsed<List<LabeledMention>>.Success(result);
    }

    /// <summary>Parses <c>0</c>, or <c>{n}\n&lt;mention k&gt;{mention}</c> with 1 ≤ k ≤ n.</summary>
    internal static Parsed<(int N, int K, string? Mention)> ParseTarget(string target, PromptTemplate template)
    {
        int newline = target.IndexOf('\n');
        string countText = newline < 0 ? target : target[..newline];
        Parsed<int> count = CountOutputParser.Parse(newline < 0 ? target : target[..(newline + 1)], endedWithEos: true,
            maxCount: int.MaxValue / 16);
        if (!count.Ok)
        {
            return count.Failure;
        }

        if (newline < 0)
        {
            return count.Value == 0
                ? Parsed<(int, int, string?)>.Success((0, 0, null))
                : Parsed<(int, int, string?)>.Fail(ParseFailureKind.Malformed,
                    $"count {countText} is not followed by a mention");
        }

        ReadOnlySpan<char> rest = target.AsSpan(newline + 1);
        int markerLength = template.MatchMentionMarker(rest, out int k);
        if (markerLength == 0)
        {
            return Parsed<(int, int, string?)>.Fail(ParseFailureKind.Malformed, "no mention marker after the count");
        }

        if (k < 1 || k > count.Value)
        {
            return Parsed<(int, int, string?)>.Fail(ParseFailureKind.Malformed,
                string.Create(CultureInfo.InvariantCulture, $"mention index {k} is outside 1..{count.Value}"));
        }

        string mention = rest[markerLength..].ToString();
        return mention.Length == 0
            ? Parsed<(int, int, string?)>.Fail(ParseFailureKind.Empty, "the mention is empty")
            : Parsed<(int, int, string?)>.Success((count.Value, k, mention));
    }
}
