using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Parsing;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Extraction;

/// <summary>
/// The baselines (AutoReg_Struct, AutoReg_Aug): one prompt, one sequence generated to EOS, then
/// parsed back to (label, mention) pairs by the format's own parser. Probabilities are not
/// defined per mention here, so each mention carries the whole sequence's.
/// </summary>
public sealed class AutoregressiveExtractor(DecoderModel model, ITokenizer tokenizer, ITrainingFormat format)
{
    /// <summary>
    /// The generation cap; by default whatever the model's context leaves
    /// after the prompt, so a long structure is never cut short by us.
    /// </summary>
    public int? MaxNewTokens { get; init; }

    public ResultDocument Extract(string text, LabelSchema schema, string? id = null)
    {
        DateTime started = DateTime.UtcNow;
        int eos = tokenizer.EosId ?? throw new InvalidOperationException("the tokenizer has no EOS token");
        string prompt = format.Reformulate(new Ner.Data.Sentence(text, []), 0).First().Prompt;
        int[] promptTokens = tokenizer.Encode(prompt);
        int maxNew = MaxNewTokens ?? (model.Config.MaxPositions - promptTokens.Length);
        if (maxNew < 1)
        {
            throw new ArgumentException(
                $"the prompt takes {promptTokens.Length} tokens, leaving none of the model's "
                + $"{model.Config.MaxPositions} positions to generate in",
                nameof(text));
        }

        var generator = new GreedyGenerator(model);
        if (model.Config.BidirectionalText)
        {
            throw new NotSupportedException("the autoregressive baselines are causal models; this one reads its text "
                + "bidirectionally (bidirectional_text)");
        }

        GenerationResult r = generator.Generate(
            [new GenerationRequest(model.NewCache().CreateRoot(), promptTokens, maxNew, new HashSet<int> { eos })])[0];
        string output = tokenizer.Decode(r.Stopped ? r.Tokens[..^1] : r.Tokens);
        var failures = new List<ResultFailure>();
        var predictions = new List<MentionPrediction>();
        Parsed<List<LabeledMention>> parsed = r.Stopped
            ? format.ParseTargets([new TrainingExample(0, null, prompt, output)])
            : Parsed<List<LabeledMention>>.Fail(ParseFailureKind.Truncated, $"no EOS within {maxNew} tokens");
        if (parsed.Ok)
        {
            predictions.AddRange(parsed.Value.Select(
                (m, i) => new MentionPrediction(m.Label, i + 1, m.Text, r.ContentLogProbability)));
        }
        else
        {
            failures.Add(new ResultFailure("*", 0, parsed.Failure.ToString()));
        }

        DateTime completed = DateTime.UtcNow;
        ExtractionResult result = ResultAggregator.Aggregate(text, schema, predictions, DedupPolicy.None);
        return ResultDocument.From(id, result, failures) with
        {
            TokensGenerated = r.Tokens.Length,
            Sequences = 1,
            Timings = new ResultTimings(started, completed, (completed - started).TotalSeconds),
        };
    }
}
