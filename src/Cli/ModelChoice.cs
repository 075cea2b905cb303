using System.CommandLine;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Cli;

/// <summary>
/// The options that pick a model and a label schema, shared by extract, corpus, serve and ingest.
/// Without --model the model shipped in the checkout (<c>models/conll03-en</c>) is used; without
/// a schema option the model's own <c>labels.json</c>, else CoNLL-2003's labels.
/// </summary>
internal sealed class ModelChoice
{
    public const string ShippedModel = "models/conll03-en";

    public Option<string?> Model { get; } = new("--model")
    {
        Description = "model directory in HF layout with its tokenizer "
            + $"(default: $PADELLM_MODEL, else the shipped {ShippedModel})"
    };

    public Option<string?> Tokenizer { get; } = new("--tokenizer")
    {
        Description = "tokenizer directory or file, when not in the model directory"
    };

    public Option<string?> Labels { get; } = new("--labels")
    {
        Description = "comma-separated labels (prompt name = label), e.g. PER,LOC"
    };

    public Option<string> Language { get; } = new("--language")
    {
        Description = "en or zh, with --labels",
        DefaultValueFactory = _ => "en"
    };

    public Option<string?> Dataset { get; } = new("--dataset") { Description = "use a dataset's label schema" };

    public Option<string?> SchemaFile { get; } = new("--schema") { Description = "a label schema JSON file" };

    public Option<bool> Unconstrained { get; } = UnconstrainedOption();

    public BackendChoice Backend { get; } = new();

    /// <summary>
    /// <c>--unconstrained</c>: mentions decoded over the whole vocabulary, as in the paper, instead of
    /// copied from the text (the default, <see cref="Extraction.CopyDecoding"/>).
    /// </summary>
    public static Option<bool> UnconstrainedOption() => new("--unconstrained")
    {
        Description = "decode mentions over the whole vocabulary (the paper's decoding) "
            + "instead of copying them from the text",
    };

    public bool CopyMentions(ParseResult r) => !r.GetValue(Unconstrained);

    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Model, Tokenizer, Labels, Language, Dataset, SchemaFile, Unconstrained })
        {
            command.Options.Add(o);
        }

        Backend.AddTo(command);
    }

    public string ModelDirectory(ParseResult r)
    {
        if (r.GetValue(Model) is string explicitDir)
        {
            return Directory.Exists(explicitDir)
                ? explicitDir
                : throw new UsageException($"--model: directory '{explicitDir}' not found");
        }

        if (Environment.GetEnvironmentVariable("PADELLM_MODEL") is { Length: > 0 } env)
        {
            return Directory.Exists(env)
                ? env
                : throw new UsageException($"PADELLM_MODEL: directory '{env}' not found");
        }

        return FindShipped() ?? throw new UsageException(
            $"no model given and the shipped {ShippedModel} was not found above "
            + $"{Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}: pass --model DIR");
    }

    public string TokenizerPath(ParseResult r, string modelDir) => r.GetValue(Tokenizer) ?? modelDir;

    /// <summary>The chosen model opened on the chosen backend: its directory, tokenizer, decoder and name.</summary>
    public OpenModel Open(ParseResult r, TextWriter log)
    {
        string dir = ModelDirectory(r);
        ITokenizer tokenizer = DecodingTokenizer(TokenizerPath(r, dir));
        return new OpenModel(dir, tokenizer, Backend.Load(r, dir, log));
    }

    /// <summary>A tokenizer to decode PaDeLLM sequences with: one whose end-of-sequence token is known.</summary>
    public static ITokenizer DecodingTokenizer(string path)
    {
        ITokenizer tokenizer = TokenizerLoader.Load(path);
        if (tokenizer.EosId is null)
        {
            // PaDeLLM's sequences end at EOS: without one no count or mention could be read.
            throw new UsageException($"{path}: the tokenizer has no end-of-sequence token "
                + "(eos_token in tokenizer_config.json, or a </s>, <|endoftext|> or <|im_end|> piece)");
        }

        return tokenizer;
    }

    public LabelSchema Schema(ParseResult r, string modelDir)
    {
        string? labels = r.GetValue(Labels), dataset = r.GetValue(Dataset), schemaFile = r.GetValue(SchemaFile);
        if (new[] { labels, dataset, schemaFile }.Count(x => x is not null) > 1)
        {
            throw new UsageException("give at most one of --labels, --dataset and --schema");
        }

        if (labels is not null)
        {
            string[] keys = labels.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return keys.Length == 0
                ? throw new UsageException("--labels: no labels given")
                : new LabelSchema(
                    "labels",
                    PromptLanguageNames.Parse(r.GetValue(Language)!, "--language"),
                    keys.Select(k => new EntityLabel(k, k)));
        }

        if (schemaFile is not null)
        {
            return LabelSchemaFile.Load(schemaFile);
        }

        if (dataset is not null)
        {
            return DatasetCatalog.Get(dataset).Schema;
        }

        return LabelSchemaFile.ForModel(modelDir) ?? DatasetCatalog.Get("conll03").Schema;
    }

    /// <summary>The model's name for results: its directory's name.</summary>
    public static string NameOf(string modelDir) => new DirectoryInfo(Path.GetFullPath(modelDir)).Name;

    private static string? FindShipped()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, ShippedModel);
                if (File.Exists(Path.Combine(candidate, "config.json")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}

/// <summary>A model opened for extraction; disposing it releases the decoder's weights.</summary>
internal sealed record OpenModel(string Directory, ITokenizer Tokenizer, DecoderModel Decoder) : IDisposable
{
    /// <summary>The model's name for results: its directory's name.</summary>
    public string Name => ModelChoice.NameOf(Directory);

    public void Dispose() => Decoder.Dispose();
}
