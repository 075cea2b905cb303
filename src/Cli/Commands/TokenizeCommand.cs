using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Cli.Commands;

/// <summary><c>padellm tokenize --tokenizer DIR --text "…" [--json]</c> and <c>--decode 1,2,3</c>.</summary>
internal static class TokenizeCommand
{
    public static Command Create(CliContext ctx)
    {
        var tokenizer = new Option<string>("--tokenizer")
        { Description = "directory with tokenizer.json or tokenizer.model (or the file itself)", Required = true };
        var text = new Option<string?>("--text") { Description = "text to encode" };
        var decode = new Option<string?>("--decode") { Description = "comma-separated ids to decode" };
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var command = new Command("tokenize", "Encode text to token ids, or decode ids to text")
            { tokenizer, text, decode, json };
        command.SetAction(r =>
        {
            string? t = r.GetValue(text), d = r.GetValue(decode);
            if ((t is null) == (d is null))
            {
                throw new UsageException("give exactly one of --text and --decode");
            }

            ITokenizer tok = TokenizerLoader.Load(r.GetValue(tokenizer)!);
            if (t is not null)
            {
                int[] ids = tok.Encode(t);
                string?[] tokens = ids.Select(tok.IdToToken).ToArray();
                if (r.GetValue(json))
                {
                    ctx.Out.WriteLine(new JsonObject
                    {
                        ["ids"] = new JsonArray(ids.Select(i => (JsonNode)i).ToArray()),
                        ["tokens"] = new JsonArray(tokens.Select(s => (JsonNode?)s).ToArray()),
                    }.ToJsonString(new System.Text.Json.JsonSerializerOptions
                    { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                }
                else
                {
                    ctx.Out.WriteLine(string.Join(' ', ids));
                    ctx.Out.WriteLine(string.Join(' ', tokens.Select(s => $"[{s}]")));
                }

                return 0;
            }

            int[] decodeIds = ModelCommands.ParseIds(d!, tok.VocabSize);
            string decoded = tok.Decode(decodeIds);
            ctx.Out.WriteLine(r.GetValue(json) ? new JsonObject { ["text"] = decoded }.ToJsonString() : decoded);
            return 0;
        });
        return command;
    }
}
