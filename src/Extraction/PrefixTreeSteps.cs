using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Parsing;
using PaDeLLM.Ner.Prompts;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Extraction;

/// <summary>
/// One request's steps over the prefix-tree engine, in this process: step 1 decodes every count
/// prompt at once (the text, their common tokens, computed once); each count's tokens are then
/// committed so that step 2 decodes every (label, k) mention at once from its label's node.
/// Finished sequences leave the batch at once. Holds one request's tree: make one per text. Counts
/// in <c>givenCounts</c> are decoded as given (<see cref="ForcedCount"/>, a diagnosis), not by the model.
/// </summary>
public sealed class PrefixTreeSteps(
    DecoderModel model, ITokenizer tokenizer, StopTokens stops, ExtractionLimits limits, CopyDecoding? copy,
    CountCalibration? counts = null, IReadOnlyDictionary<string, int>? givenCounts = null)
    : IPadellmSteps
{
    private readonly GreedyGenerator _generator = new(model);
    private readonly KvNode _root = model.NewCache().CreateRoot();
    private readonly Dictionary<string, (string Context, GenerationResult Count)> _branches =
        new(StringComparer.Ordinal);

    private readonly Dictionary<string, KvNode> _labelNodes = new(StringComparer.Ordinal);

    // For a model that reads its text bidirectionally: the text, prefilled once, and the node holding it.
    private BidirectionalText? _text;
    private KvNode? _textNode;

    /// <summary>Positions the model computed for this request, each once thanks to the prefix tree.</summary>
    public long ComputedTokens => _generator.TokensProcessed;

    public Task<IReadOnlyList<CountAnswer>> CountAsync(string text, LabelSchema schema)
    {
        string[] prompts = schema.Labels.Select(l => CountPrompt.Build(text, l, schema.Language)).ToArray();
        int[][] encoded = prompts.Select(tokenizer.Encode).ToArray();
        limits.EnsureFits(encoded, model.Config.ContextLength);
        _text = BidirectionalText.For(model, tokenizer, text, schema.Language);
        _textNode = _text is null ? null : _generator.Generate([_text.Prefill(_root)])[0].Node;
        IReadOnlyList<GenerationResult> results = _generator.Generate(encoded.Select((p, i) =>
            new GenerationRequest(_textNode ?? _root, _text?.After(p) ?? p, limits.MaxCountTokens, stops.Count)
            {
                Constraint = givenCounts is not null && givenCounts.TryGetValue(schema.Labels[i].Key, out int n)
                    ? ForcedCount.For(tokenizer, stops, prompts[i], n)
                    : counts,
            }).ToList());
        var answers = new List<CountAnswer>();
        for (int i = 0; i < results.Count; i++)
        {
            (string output, Parsed<int> count) = OutputReader.Count(results[i], tokenizer, stops.Eos, limits.MaxCount);
            answers.Add(OutputReader.CountAnswer(schema.Labels[i].Key, count, results[i]));
            if (count.Ok && count.Value > 0)
            {
                _branches[schema.Labels[i].Key] = (prompts[i] + output, results[i]);
            }
        }

        return Task.FromResult<IReadOnlyList<CountAnswer>>(answers);
    }

    public Task<IReadOnlyList<MentionAnswer>> MentionAsync(
        string text, LabelSchema schema, IReadOnlyList<MentionCall> calls)
    {
        // Commit each counted label's last token once, so its mention branches (and any decoded again) share it.
        List<string> labels = calls.Select(c => c.Label).Distinct().Where(l => !_labelNodes.ContainsKey(l)).ToList();
        IReadOnlyList<KvNode> nodes = _generator.CommitLastTokens(labels.Select(l => Branch(l).Count).ToList());
        for (int i = 0; i < labels.Count; i++)
        {
            _labelNodes[labels[i]] = nodes[i];
        }

        ITokenConstraint? shared = copy?.For(text);
        var requests = calls.Select(c =>
        {
            (string context, GenerationResult count) = Branch(c.Label);
            ITokenConstraint? constraint = c.Again is null ? shared : copy?.For(text, c.Again);
            int[] committed = [.. count.Node.AllTokens(), count.Tokens[^1]];
            int[] full = tokenizer.Encode(context + PromptTemplate.For(schema.Language).MentionMarker(c.K));

            // Continue the label's branch when the tokenizer did not merge across its end; else the full prompt.
            return TokenPath.Remainder(full, committed) is int[] rest
                ? new GenerationRequest(_labelNodes[c.Label], rest, limits.MaxMentionTokens, stops.Mention)
                {
                    Constraint = constraint,
                }
                : new GenerationRequest(
                    _textNode ?? _root, _text?.After(full) ?? full, limits.MaxMentionTokens, stops.Mention)
                {
                    Constraint = constraint
                };
        }).ToList();
        IReadOnlyList<GenerationResult> results = _generator.Generate(requests);
        return Task.FromResult<IReadOnlyList<MentionAnswer>>(
            calls.Select((c, i) => OutputReader.MentionAnswer(c, results[i], tokenizer)).ToList());
    }

    private (string Context, GenerationResult Count) Branch(string label) =>
        _branches.TryGetValue(label, out var b)
            ? b
            : throw new InvalidOperationException($"no positive count was decoded for label '{label}'");
}
