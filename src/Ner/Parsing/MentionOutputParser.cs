namespace PaDeLLM.Ner.Parsing;

/// <summary>Reads the model's answer to a mention prompt: the mention text, ended by EOS.</summary>
public static class MentionOutputParser
{
    public static Parsed<string> Parse(string generated, bool endedWithEos)
    {
        if (!endedWithEos)
        {
            return Parsed<string>.Fail(ParseFailureKind.Truncated,
                $"mention \"{CountOutputParser.Clip(generated)}\" was cut off before EOS");
        }

        if (string.IsNullOrWhiteSpace(generated))
        {
            return Parsed<string>.Fail(ParseFailureKind.Empty, "the mention is empty");
        }

        return Parsed<string>.Success(generated);
    }
}
