using System.Text.Json.Serialization;
using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Contracts.Wire;

/// <summary>A label schema on the wire: <c>{"name", "language", "labels": [{"key", "prompt"}]}</c>.</summary>
public sealed record SchemaSpec(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("language")] string Language,
    [property: JsonPropertyName("labels")] IReadOnlyList<LabelSpec> Labels)
{
    public static SchemaSpec From(LabelSchema s) =>
        new(s.Name, s.Language.Code(), s.Labels.Select(l => new LabelSpec(l.Key, l.PromptName)).ToList());

    public LabelSchema ToSchema() =>
        new(Name, PromptLanguageNames.Parse(Language, "schema.language"),
            Labels.Select(l => new EntityLabel(l.Key, l.Prompt)));
}

/// <summary>One label: its key (what results say) and the name its prompts use.</summary>
public sealed record LabelSpec(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("prompt")] string Prompt);
