using System.CommandLine;
using System.Text.Json.Nodes;
using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Results;

namespace PaDeLLM.Cli.Commands;

/// <summary>
/// <c>padellm dedup IN OUT [--policy paper]</c>: rewrites a results file's predictions, every other field untouched.
/// </summary>
internal static class DedupCommand
{
    public static Command Create(CliContext ctx)
    {
        var input = new Argument<string>("in") { Description = "results file in the paper's format" };
        var output = new Argument<string>("out") { Description = "where to write the de-duplicated file" };
        var policyOption = new Option<string>("--policy")
        {
            Description = "paper, none or reverse",
            DefaultValueFactory = _ => "paper",
        }.AcceptOnlyFromAmong("paper", "none", "reverse");
        var dataset = ScoreCommand.DatasetOption();
        var command = new Command("dedup",
            "De-duplicate a results file: a string predicted under several labels stays under its most probable one")
            { input, output, policyOption, dataset };
        command.SetAction(r =>
        {
            List<OfficialRecord> records = OfficialResultsFile.Load(r.GetValue(input)!);
            DedupPolicy policy = DedupPolicyNames.Parse(r.GetValue(policyOption)!);
            IReadOnlyList<string> order = ScoreCommand.LabelOrder(records, r.GetValue(dataset), ctx);
            int changed = 0;
            var rewritten = new List<JsonObject>(records.Count);
            foreach (OfficialRecord rec in records)
            {
                List<LabelPredictions> kept = MentionDeduplicator.Apply(rec.Predicted, order, policy);
                if (kept.Sum(k => k.Mentions.Count) != rec.Predicted.Sum(p => p.Mentions.Count))
                {
                    changed++;
                }

                rewritten.Add(rec.WithPredictions(kept));
            }

            OfficialResultsFile.Save(rewritten, r.GetValue(output)!);
            ctx.Error.WriteLine($"{records.Count} records, {changed} changed by "
                + $"'{policy.ToString().ToLowerInvariant()}' de-duplication -> {r.GetValue(output)}");
            return 0;
        });
        return command;
    }
}
