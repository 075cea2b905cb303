using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using PaDeLLM.Tokenizers.HuggingFace;
using PaDeLLM.Tokenizers.Training;
using Spectre.Console;

namespace PaDeLLM.Cli.Commands;

/// <summary><c>padellm tokenizer train --data PATH… --vocab-size N --out DIR</c>.</summary>
internal static class TokenizerCommands
{
    public static Command Create(CliContext ctx) => new("tokenizer", "Train tokenizers") { Train(ctx) };

    private static Command Train(CliContext ctx)
    {
        var data = new Option<string[]>("--data")
        {
            Description = "PaDeLLM JSON-lines files (*.json), plain-text files (one text per line), or directories "
                + "of train.json files",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var vocab = new Option<int>("--vocab-size")
        { Description = "vocabulary size", DefaultValueFactory = _ => 8000 };
        var mentions = new Option<int>("--max-mentions")
        { Description = "<mention k> and <第k文段> markers for k = 1 … N", DefaultValueFactory = _ => 32 };
        var output = new Option<string>("--out") { Description = "output directory (tokenizer.json)", Required = true };
        var command = new Command("train",
            "Learn a SentencePiece-style BPE with byte fallback and PaDeLLM's markers as whole pieces")
            { data, vocab, mentions, output };
        command.SetAction(r =>
        {
            var texts = TrainingTexts.Read(r.GetValue(data)!).ToList();
            if (texts.Count == 0)
            {
                throw new UsageException("--data: no text found");
            }

            var options = new BpeTrainerOptions
            { VocabSize = r.GetValue(vocab), UserDefined = BpeTrainerOptions.PadellmMarkers(r.GetValue(mentions)) };
            var sw = Stopwatch.StartNew();
            System.Text.Json.Nodes.JsonObject? trained = null;
            ctx.Progress.Progress().AutoClear(!ctx.Interactive).Start(p =>
            {
                ProgressTask task = p.AddTask($"BPE over {texts.Count:N0} texts", maxValue: 1);
                trained = BpeTrainer.Train(texts, options, (done, planned) =>
                {
                    task.MaxValue = Math.Max(1, planned);
                    task.Value = done;
                });
                task.Value = task.MaxValue;
            });
            string dir = r.GetValue(output)!;
            BpeTrainer.Save(trained!, dir);
            var check = HfTokenizer.Load(Path.Combine(dir, "tokenizer.json"));
            ctx.Error.WriteLine($"{texts.Count:N0} texts -> vocabulary of {check.VocabSize:N0} in "
                + $"{sw.Elapsed.TotalSeconds:F1} s -> {Path.Combine(dir, "tokenizer.json")}");
            return 0;
        });
        return command;
    }
}

/// <summary>Texts for tokenizer training from PaDeLLM JSON lines, plain text, or directories of them.</summary>
internal static class TrainingTexts
{
    public static IEnumerable<string> Read(IEnumerable<string> paths)
    {
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (string file in Directory.EnumerateFiles(path, "train.json", SearchOption.AllDirectories)
                    .Order(StringComparer.Ordinal))
                {
                    foreach (string t in ReadFile(file))
                    {
                        yield return t;
                    }
                }
            }
            else if (File.Exists(path))
            {
                foreach (string t in ReadFile(path))
                {
                    yield return t;
                }
            }
            else
            {
                throw new UsageException($"--data: '{path}' not found");
            }
        }
    }

    private static IEnumerable<string> ReadFile(string file)
    {
        bool json = file.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            || file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase);
        int line = 0;
        foreach (string l in File.ReadLines(file))
        {
            line++;
            if (string.IsNullOrWhiteSpace(l))
            {
                continue;
            }

            if (!json)
            {
                yield return l;
                continue;
            }

            string? text;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(l);
                text = doc.RootElement.ValueKind == JsonValueKind.Array && doc.RootElement.GetArrayLength() > 0
                    ? doc.RootElement[0].GetString() : null;
            }
            catch (JsonException e)
            {
                throw new FormatException($"{file}:{line}: malformed JSON: {e.Message}", e);
            }

            yield return text ?? throw new FormatException($"{file}:{line}: expected [text, …]");
        }
    }
}
