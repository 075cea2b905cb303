using System.Diagnostics;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Parsing;
using PaDeLLM.Ner.Prompts;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Extraction;

/// <summary>
/// The paper's "multi" setting, one device per sequence: every count and every mention decoded
/// alone from its full prompt. <see cref="Latency"/> is what such a deployment would wait: the
/// slowest count plus the slowest mention of each round (the second: repeats decoded again, if any). Counts
/// in <c>givenCounts</c> are decoded as given
/// (<see cref="ForcedCount"/>, a diagnosis), not by the model.
/// </summary>
public sealed class AloneSteps(
    DecoderModel model, ITokenizer tokenizer, StopTokens stops, ExtractionLimits limits, CopyDecoding? copy,
    CountCalibration? counts = null, IReadOnlyDictionary<string, int>? givenCounts = null)
    : IPadellmSteps
{
    private readonly Dictionary<string, string> _contexts = new(StringComparer.Ordinal);
    private double _slowestCount, _slowestMentions;

    public TimeSpan Latency => TimeSpan.FromSeconds(_slowestCount + _slowestMentions);

    public long ComputedTokens { get; private set; }

    public Task<IReadOnlyList<CountAnswer>> CountAsync(string text, LabelSchema schema)
    {
        var prompts = schema.Labels.Select(l => CountPrompt.Build(text, l, schema.Language)).ToList();
        var encoded = prompts.Select(tokenizer.Encode).ToList(); // once: checked for length, then decoded
        limits.EnsureFits(encoded, model.Config.ContextLength);
        var answers = new List<CountAnswer>();
        for (int i = 0; i < prompts.Count; i++)
        {
            EntityLabel label = schema.Labels[i];
            string prompt = prompts[i];
            ITokenConstraint? constraint = givenCounts is not null && givenCounts.TryGetValue(label.Key, out int n)
                ? ForcedCount.For(tokenizer, stops, prompt, n)
                : counts;
            GenerationResult r = Alone(
                text, schema, encoded[i], limits.MaxCountTokens, stops.Count, constraint, ref _slowestCount);
            (string output, Parsed<int> count) = OutputReader.Count(r, tokenizer, stops.Eos, limits.MaxCount);
            _contexts[label.Key] = prompt + output;
            answers.Add(OutputReader.CountAnswer(label.Key, count, r));
        }

        return Task.FromResult<IReadOnlyList<CountAnswer>>(answers);
    }

    public Task<IReadOnlyList<MentionAnswer>> MentionAsync(
        string text, LabelSchema schema, IReadOnlyList<MentionCall> calls)
    {
        ITokenConstraint? shared = copy?.For(text);
        double slowest = 0;
        var answers = calls.Select(c =>
        {
            ITokenConstraint? constraint = c.Again is null ? shared : copy?.For(text, c.Again);
            string prompt = _contexts[c.Label] + PromptTemplate.For(schema.Language).MentionMarker(c.K);
            int[] ids = tokenizer.Encode(prompt);
            return OutputReader.MentionAnswer(
                c, Alone(text, schema, ids, limits.MaxMentionTokens, stops.Mention, constraint, ref slowest),
                tokenizer);
        }).ToList();
        _slowestMentions += slowest;
        return Task.FromResult<IReadOnlyList<MentionAnswer>>(answers);
    }

    private GenerationResult Alone(
        string text, LabelSchema schema, int[] prompt, int maxNew, IReadOnlySet<int> stopAt,
        ITokenConstraint? constraint, ref double slowest)
    {
        var clock = Stopwatch.StartNew();
        var generator = new GreedyGenerator(model);
        KvNode root = model.NewCache().CreateRoot();
        BidirectionalText? bidirectional = BidirectionalText.For(model, tokenizer, text, schema.Language);
        KvNode parent = bidirectional is null ? root : generator.Generate([bidirectional.Prefill(root)])[0].Node;
        GenerationResult r = generator.Generate(
            [new GenerationRequest(parent, bidirectional?.After(prompt) ?? prompt, maxNew, stopAt)
            {
                Constraint = constraint,
            }])[0];
        slowest = Math.Max(slowest, clock.Elapsed.TotalSeconds);
        ComputedTokens += generator.TokensProcessed;
        return r;
    }
}
