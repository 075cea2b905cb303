using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Ner.Training;

public static class TrainingFormats
{
    public static readonly IReadOnlyList<string> Names = ["padellm", "struct", "aug", "padellm+aug"];

    public static ITrainingFormat Create(string name, LabelSchema schema, LossSpan lossSpan = LossSpan.FromCount) =>
        name.ToLowerInvariant() switch
        {
            "padellm" => new PadellmFormat(schema, lossSpan),
            "struct" => new StructFormat(schema),
            "aug" => new AugFormat(schema),
            "padellm+aug" => new MixedFormat(new PadellmFormat(schema, lossSpan), new AugFormat(schema)),
            _ => throw new FormatException($"unknown format '{name}' (expected {string.Join(", ", Names)})"),
        };
}
