using PaDeLLM.Extraction;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// The extractor a model's training format calls for, as <c>eval</c> and <c>train</c>'s dev
/// evaluation both run it: PaDeLLM in batch or multi mode, or a baseline (struct, aug) decoding
/// one sequence. Returns each text's result document and its latency (in multi mode the
/// slowest count plus the slowest mention, as on one device per sequence).
/// </summary>
internal static class DatasetExtraction
{
    public static Func<string, (ResultDocument Document, TimeSpan Latency)> For(
        DecoderModel decoder, ITokenizer tokenizer, LabelSchema schema, string mode, string autoregFormat,
        bool copyMentions = true, double countBias = 0, CopyEnding copyEnding = CopyEnding.StopMass)
    {
        if (mode == "autoreg")
        {
            var auto = new AutoregressiveExtractor(decoder, tokenizer, TrainingFormats.Create(autoregFormat, schema));
            return text =>
            {
                ResultDocument d = auto.Extract(text, schema);
                return (d, TimeSpan.FromSeconds(d.Timings!.Seconds));
            };
        }

        var padellm = new PadellmExtractor(decoder, tokenizer)
        {
            Mode = mode == "multi" ? DecodingMode.Multi : DecodingMode.Batch,
            CopyMentions = copyMentions,
            CountBias = countBias,
            CopyEnding = copyEnding,
        };
        return text =>
        {
            ResultDocument d = padellm.Extract(text, schema);
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
