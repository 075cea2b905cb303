using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Cli.Commands;

/// <summary><c>padellm extract --model DIR --text "…" [--labels A,B | --dataset NAME | --schema FILE]</c>: entities as JSON.</summary>
internal static class ExtractCommand
{
    public static Command Create(CliContext ctx)
    {
        var choice = new ModelChoice();
        var text = new Option<string>("--text") { Description = "the text to extract entities from", Required = true };
        var dedup = ScoreCommand.DedupOption();
        dedup.DefaultValueFactory = _ => "paper";
        var command = new Command("extract", "Extract entities with a PaDeLLM model: counts per label, then every mention, all decoded in parallel") { text, dedup };
        choice.AddTo(command);
        command.SetAction(r =>
        {
            using OpenModel model = choice.Open(r);
            LabelSchema schema = choice.Schema(r, model.Directory);
            var extractor = new PadellmExtractor(model.Decoder, model.Tokenizer) { Dedup = DedupPolicyNames.Parse(r.GetValue(dedup)!) };
            ExtractionOutcome outcome = extractor.Extract(r.GetValue(text)!, schema);
            ctx.Out.WriteLine(ToJson(outcome, model.Directory).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            return 0;
        });
        return command;
    }

    /// <summary>The result JSON: entities with label, text, every span and probability; unresolved predictions; costs.</summary>
    internal static JsonObject ToJson(ExtractionOutcome o, string model) => new()
    {
        ["text"] = o.Result.Text,
        ["entities"] = new JsonArray(o.Result.Entities.Where(e => e.FoundInText).Select(e => (JsonNode)new JsonObject
        {
            ["label"] = e.Label,
            ["text"] = e.Text,
            ["spans"] = new JsonArray(e.Spans.Select(s => (JsonNode)new JsonArray(s.Start, s.End)).ToArray()),
            ["probability"] = Math.Round(e.Probability, 6),
        }).ToArray()),
        ["unresolved"] = new JsonArray(o.Result.Unresolved.Select(e => (JsonNode)new JsonObject { ["label"] = e.Label, ["text"] = e.Text, ["probability"] = Math.Round(e.Probability, 6) }).ToArray()),
        ["parse_failures"] = new JsonArray(o.Failures.Select(f => (JsonNode)new JsonObject { ["label"] = f.Label, ["k"] = f.K, ["kind"] = f.Failure.Kind.ToString(), ["message"] = f.Failure.Message }).ToArray()),
        ["model"] = Path.GetFullPath(model),
        ["generated_tokens"] = o.GeneratedTokens,
        ["computed_tokens"] = o.ComputedTokens,
        ["elapsed_ms"] = Math.Round(o.Elapsed.TotalMilliseconds, 1),
    };
}
