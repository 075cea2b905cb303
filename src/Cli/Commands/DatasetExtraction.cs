using PaDeLLM.Extraction;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// The extractor a model's training format calls for, as <c>eval</c> and <c>train</c>'s dev
/// evaluation both run it: PaDeLLM in batch or multi mode, or a baseline (struct, aug) decoding
/// one sequence. Returns each text's outcome and how many sequences it decoded.
/// </summary>
internal static class DatasetExtraction
{
    public static Func<string, (ExtractionOutcome Outcome, int Sequences)> For(DecoderModel decoder, ITokenizer tokenizer, LabelSchema schema, string mode, string autoregFormat)
    {
        if (mode == "autoreg")
        {
            var auto = new AutoregressiveExtractor(decoder, tokenizer, TrainingFormats.Create(autoregFormat, schema));
            return text => (auto.Extract(text, schema), 1);
        }

        var padellm = new PadellmExtractor(decoder, tokenizer) { Mode = mode == "multi" ? DecodingMode.Multi : DecodingMode.Batch };
        return text =>
        {
            ExtractionOutcome o = padellm.Extract(text, schema);
            return (o, padellm.Sequences);
        };
    }

    /// <summary>The mode that evaluates a model trained in <paramref name="format"/>: PaDeLLM's batch, else autoreg.</summary>
    public static string ModeFor(ITrainingFormat format) => format is PadellmFormat ? "batch" : "autoreg";
}
