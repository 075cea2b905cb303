using PaDeLLM.Extraction;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// The extractor a model's training format calls for, as <c>eval</c> and <c>train</c>'s dev
/// evaluation both run it: PaDeLLM in batch or multi mode, or a baseline (struct, aug) decoding
/// one sequence. Returns each text's result document and its latency (in multi mode the
/// slowest count plus the slowest mention, as on one device per sequence). With <c>goldCounts</c>,
/// PaDeLLM decodes each label's count as the sentence's gold count (<see cref="ForcedCount"/>, a diagnosis).
/// </summary>
internal static class DatasetExtraction
{
    public static Func<Sentence, (ResultDocument Document, TimeSpan Latency)> For(
        DecoderModel decoder, ITokenizer tokenizer, LabelSchema schema, string mode, string autoregFormat,
        bool copyMentions = true, double countBias = 0, CopyEnding copyEnding = CopyEnding.StopMass,
        bool goldCounts = false, double? repeatMinProbability = PadellmOptions.DefaultRepeatMinProbability)
    {
        if (mode == "autoreg")
        {
            if (goldCounts)
            {
                throw new UsageException("gold counts are PaDeLLM's count step: not with --mode autoreg");
            }

            var auto = new AutoregressiveExtractor(decoder, tokenizer, TrainingFormats.Create(autoregFormat, schema));
            return sentence =>
            {
                ResultDocument d = auto.Extract(sentence.Text, schema);
                return (d, TimeSpan.FromSeconds(d.Timings!.Seconds));
            };
        }

        var padellm = new PadellmExtractor(decoder, tokenizer)
        {
            Mode = mode == "multi" ? DecodingMode.Multi : DecodingMode.Batch,
            CopyMentions = copyMentions,
            CountBias = countBias,
            CopyEnding = copyEnding,
            DecodeRepeatsAgain = repeatMinProbability is not null,
            RepeatMinProbability = repeatMinProbability ?? 0,
        };
        return sentence =>
        {
            ResultDocument d = padellm.Extract(sentence.Text, schema, givenCounts: goldCounts
                ? schema.Keys.ToDictionary(k => k, k => sentence.MentionsOf(k).Count, StringComparer.Ordinal)
                : null);
            return (d, padellm.LastLatency);
        };
    }

    /// <summary>
    /// The mode that evaluates a model trained in
    /// <paramref name="format"/>: PaDeLLM's batch, else autoreg.
    /// </summary>
    public static string ModeFor(ITrainingFormat format) =>
        format is PadellmFormat or MixedFormat { Primary: PadellmFormat } ? "batch" : "autoreg";
}
