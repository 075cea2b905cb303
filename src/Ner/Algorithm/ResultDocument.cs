using System.Text.Json.Serialization;
using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Data;

namespace PaDeLLM.Ner.Algorithm;

/// <summary>
/// One document's extraction, the one result every entry point returns and every result blob
/// holds (docs/result.schema.json): each occurrence of each kept mention with its UTF-16 span,
/// predictions not found in the text, unreadable outputs, and what it cost.
/// </summary>
public sealed record ResultDocument
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("text")]
    public required string Text { get; init; }

    [JsonPropertyName("entities")]
    public required IReadOnlyList<ResultEntity> Entities { get; init; }

    [JsonPropertyName("unresolved")]
    public required IReadOnlyList<UnresolvedMention> Unresolved { get; init; }

    [JsonPropertyName("failures")]
    public required IReadOnlyList<ResultFailure> Failures { get; init; }

    [JsonPropertyName("model")]
    public string? Model { get; init; }

    [JsonPropertyName("tokens_generated")]
    public int TokensGenerated { get; init; }

    [JsonPropertyName("sequences")]
    public int Sequences { get; init; }

    [JsonPropertyName("timings")]
    public ResultTimings? Timings { get; init; }

    /// <summary>The document form of an aggregated result: one entity per span, in label then text order.</summary>
    public static ResultDocument From(
        string? id, ExtractionResult result, IReadOnlyList<ResultFailure> failures) => new()
        {
            Id = id,
            Text = result.Text,
            Entities = result.Entities
                .Where(e => e.FoundInText)
                .SelectMany(e => e.Spans.Select(s =>
                    new ResultEntity(e.Label, e.Text, s.Start, s.End, e.Probability, e.K)))
                .ToList(),
            Unresolved = result.Unresolved
                .Select(e => new UnresolvedMention(e.Label, e.Text, e.Probability, e.K)).ToList(),
            Failures = failures,
        };

    /// <summary>Back to the aggregated form that the metrics score (spans regrouped by label and string).</summary>
    public ExtractionResult ToExtractionResult()
    {
        var entities = Entities
            .GroupBy(e => (e.Label, e.Text))
            .Select(g => new ExtractedEntity(g.Key.Label, g.Key.Text, g.First().Probability, g.First().K,
                g.Select(e => new CharSpan(e.Start, e.End)).ToList()))
            .Concat(Unresolved.Select(u => new ExtractedEntity(u.Label, u.Text, u.Probability, u.K, [])));
        return new ExtractionResult(Text, entities.ToList());
    }
}

/// <summary>One occurrence of a kept mention: <c>text[start..end)</c> in UTF-16 code units.</summary>
public sealed record ResultEntity(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("start")] int Start,
    [property: JsonPropertyName("end")] int End,
    [property: JsonPropertyName("probability")] double Probability,
    [property: JsonPropertyName("k")] int K);

/// <summary>A predicted mention that does not occur verbatim in the text: kept, never silently dropped.</summary>
public sealed record UnresolvedMention(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("probability")] double Probability,
    [property: JsonPropertyName("k")] int K);

/// <summary>An output that could not be read: a count (k = 0) or the k-th mention.</summary>
public sealed record ResultFailure(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("k")] int K,
    [property: JsonPropertyName("failure")] string Failure);

/// <summary>When the extraction ran (orchestration time under Durable, wall time in process).</summary>
public sealed record ResultTimings(
    [property: JsonPropertyName("started")] DateTime Started,
    [property: JsonPropertyName("completed")] DateTime Completed,
    [property: JsonPropertyName("seconds")] double Seconds);
