using System.CommandLine;
using System.Text.Json;
using PaDeLLM.Extraction;
using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// <c>padellm extract --model DIR --text "…" [--labels A,B | --dataset NAME | --schema FILE]</c>: the result
/// document (docs/result.schema.json), the same JSON as every other entry point's.
/// </summary>
internal static class ExtractCommand
{
    public static Command Create(CliContext ctx)
    {
        var choice = new ModelChoice();
        var text = new Option<string>("--text") { Description = "the text to extract entities from", Required = true };
        var dedup = ScoreCommand.DedupOption();
        dedup.DefaultValueFactory = _ => "paper";
        var command = new Command("extract",
            "Extract entities with a PaDeLLM model: counts per label, then every mention, all decoded in parallel")
        {
            text, dedup,
        };
        choice.AddTo(command);
        command.SetAction(r =>
        {
            using OpenModel model = choice.Open(r, ctx.Error);
            LabelSchema schema = choice.Schema(r, model.Directory);
            var extractor = new PadellmExtractor(model.Decoder, model.Tokenizer)
            {
                Dedup = DedupPolicyNames.Parse(r.GetValue(dedup)!),
                ModelName = model.Name,
                CopyMentions = choice.CopyMentions(r),
            };
            ResultDocument document = extractor.Extract(r.GetValue(text)!, schema);
            ctx.Out.WriteLine(JsonSerializer.Serialize(document, ResultJson.Options));
            return 0;
        });
        return command;
    }
}
