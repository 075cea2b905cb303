using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Extraction;

/// <summary>
/// <see cref="PadellmAlgorithm"/> over a model in this process: one request's prefix tree
/// (<see cref="DecodingMode.Batch"/>) or every sequence alone (<see cref="DecodingMode.Multi"/>).
/// What <c>padellm extract</c> and <c>padellm eval</c> run.
/// </summary>
public sealed class PadellmExtractor(DecoderModel model, ITokenizer tokenizer)
{
    private readonly StopTokens _stops = StopTokens.For(tokenizer);
    private CopyDecoding? _copy;
    private CountCalibration? _calibration;

    public ExtractionLimits Limits { get; init; } = ExtractionLimits.Default;

    public DedupPolicy Dedup { get; init; } = DedupPolicy.Paper;

    public DecodingMode Mode { get; init; } = DecodingMode.Batch;

    /// <summary>Mentions copied from the text (<see cref="CopyDecoding"/>); false: the paper's free decoding.</summary>
    public bool CopyMentions { get; init; } = true;

    /// <summary>How a copied mention decides to end (<see cref="Extraction.CopyEnding"/>).</summary>
    public CopyEnding CopyEnding { get; init; } = CopyEnding.StopMass;

    /// <summary>β of <see cref="CountCalibration"/>: 0 for the model's own greedy counts.</summary>
    public double CountBias { get; init; }

    /// <summary>
    /// Mentions that repeat another k of their label are decoded again, barred from the label's strings
    /// (<see cref="PadellmOptions.DecodeRepeatsAgain"/>); with copied mentions only.
    /// </summary>
    public bool DecodeRepeatsAgain { get; init; } = true;

    /// <summary><see cref="PadellmOptions.RepeatMinProbability"/>.</summary>
    public double RepeatMinProbability { get; init; } = PadellmOptions.DefaultRepeatMinProbability;

    /// <summary>The model's name recorded in results (its directory's name).</summary>
    public string? ModelName { get; init; }

    /// <summary>
    /// The last extraction's latency: wall time in batch
    /// mode, slowest count + slowest mention in multi.
    /// </summary>
    public TimeSpan LastLatency { get; private set; }

    /// <summary>Positions the model computed for the last extraction.</summary>
    public long LastComputedTokens { get; private set; }

    /// <param name="givenCounts">
    /// Labels whose count is decoded as given instead of by the model (<see cref="ForcedCount"/>): a diagnosis that
    /// leaves only the mention step's errors, as <c>padellm eval --gold-counts</c> runs it with the gold counts.
    /// </param>
    public ResultDocument Extract(
        string text, LabelSchema schema, string? id = null, IReadOnlyDictionary<string, int>? givenCounts = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ResultDocument document;
        if (Mode == DecodingMode.Multi)
        {
            var alone = new AloneSteps(model, tokenizer, _stops, Limits, Copy, Counts, givenCounts);
            document = Run(id, text, schema, alone);
            (LastLatency, LastComputedTokens) = (alone.Latency, alone.ComputedTokens);
        }
        else
        {
            var tree = new PrefixTreeSteps(model, tokenizer, _stops, Limits, Copy, Counts, givenCounts);
            document = Run(id, text, schema, tree);
            (LastLatency, LastComputedTokens) = (clock.Elapsed, tree.ComputedTokens);
        }

        return document with { Model = ModelName };
    }

    private CopyDecoding? Copy => CopyMentions ? _copy ??= CopyDecoding.For(tokenizer, _stops, CopyEnding) : null;

    private CountCalibration? Counts =>
        CountBias == 0 ? null : _calibration ??= CountCalibration.For(tokenizer, _stops, CountBias);

    // The steps here are synchronous underneath, so the algorithm's tasks are already complete.
    private ResultDocument Run(string? id, string text, LabelSchema schema, IPadellmSteps steps) =>
        PadellmAlgorithm.RunAsync(id, text, schema, steps, () => DateTime.UtcNow, new PadellmOptions
        {
            Dedup = Dedup,
            DecodeRepeatsAgain = DecodeRepeatsAgain && CopyMentions,
            RepeatMinProbability = RepeatMinProbability,
        }).GetAwaiter().GetResult();
}
