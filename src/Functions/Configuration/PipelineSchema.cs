using PaDeLLM.Contracts.Wire;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Functions.Configuration;

/// <summary>
/// The label schema documents are extracted with: <c>PADELLM_LABELS</c>, else the model's
/// labels.json, else CoNLL-2003's. A request may ask for a subset of it.
/// </summary>
public sealed class PipelineSchema
{
    public PipelineSchema(LabelSchema schema)
    {
        Schema = schema;
        Spec = SchemaSpec.From(schema);
    }

    public LabelSchema Schema { get; }

    /// <summary>The schema as orchestration inputs carry it.</summary>
    public SchemaSpec Spec { get; }

    public static PipelineSchema From(PadellmFunctionsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        LabelSchema? own;
        try
        {
            own = PadellmFunctionsOptions.NonEmpty(options.Model) is string dir && Directory.Exists(dir)
                ? LabelSchemaFile.ForModel(dir)
                : null;
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"{PadellmFunctionsOptions.ModelSetting}: {e.Message}", e);
        }

        LabelSchema fallback = own ?? DatasetCatalog.Get("conll03").Schema;
        if (PadellmFunctionsOptions.NonEmpty(options.Labels) is not string list)
        {
            return new PipelineSchema(fallback);
        }

        string[] keys = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        try
        {
            // Known labels keep their prompt names (a Chinese dataset's, say); unknown ones prompt by their key.
            LabelSchema schema = keys.All(fallback.Contains) ? fallback.Subset(keys)
                : DatasetCatalog.Infer(keys) is DatasetInfo d ? d.Schema.Subset(keys)
                : new LabelSchema("labels", PromptLanguage.English, keys.Select(k => new EntityLabel(k, k)));
            return new PipelineSchema(schema);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"{PadellmFunctionsOptions.LabelsSetting}: {e.Message}", e);
        }
    }

    /// <summary>The spec for a request's labels (all when null), or what is wrong with them.</summary>
    public (SchemaSpec? Spec, string? Problem) For(IReadOnlyList<string>? labels)
    {
        if (labels is null)
        {
            return (Spec, null);
        }

        if (labels.Count == 0)
        {
            return (null, "field 'labels' must not be empty (leave it out for every label)");
        }

        if (labels.FirstOrDefault(l => !Schema.Contains(l)) is string unknown)
        {
            return (null, $"label '{unknown}' is not one of {string.Join(", ", Schema.Keys)}");
        }

        if (labels.Distinct(StringComparer.Ordinal).Count() != labels.Count)
        {
            return (null, "field 'labels' names a label twice");
        }

        return (SchemaSpec.From(Schema.Subset(labels)), null);
    }
}
