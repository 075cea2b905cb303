using System.Text.Json;

namespace PaDeLLM.Ner.Data;

/// <summary>
/// Reads the PaDeLLM JSON-lines format: one sentence per line,
/// <c>[text, [start, end, surface, TYPE], ...]</c>. Every mention is checked against its
/// offsets under the given <see cref="OffsetConvention"/> and gets its character span.
/// </summary>
public static class PadellmJsonReader
{
    public static List<Sentence> ReadFile(string path, OffsetConvention offsets, ReadOptions? options = null,
        ReadReport? report = null)
    {
        using (FileStream stream = DataFiles.OpenRead(path))
        {
            return Read(stream, path, offsets, options, report).ToList();
        }
    }

    public static IEnumerable<Sentence> Read(Stream stream, string source, OffsetConvention offsets,
        ReadOptions? options = null, ReadReport? report = null)
    {
        options ??= ReadOptions.Strict;
        report ??= new ReadReport();
        var lines = new BoundedLineReader(stream, source, options.MaxLineBytes);
        int nonBlank = 0;
        while (true)
        {
            string? line;
            try
            {
                line = lines.ReadLine();
            }
            catch (DataFormatException e) when (options.Lenient)
            {
                report.SkippedLines++;
                report.Note(e.Message);
                continue;
            }

            if (line is null)
            {
                break;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            nonBlank++;
            Sentence? sentence;
            try
            {
                sentence = ParseLine(line, source, lines.LineNumber, offsets, options, report);
            }
            catch (DataFormatException e) when (options.Lenient)
            {
                report.SkippedLines++;
                report.Note(e.Message);
                continue;
            }

            report.Sentences++;
            report.Mentions += sentence.Mentions.Count;
            yield return sentence;
        }

        if (nonBlank == 0)
        {
            throw new DataFormatException(source, 0, null,
                lines.LineNumber == 0 ? "file is empty" : "file has no sentences (only blank lines)");
        }
    }

    /// <summary>
    /// Parses one line; in lenient mode a bad mention is skipped and counted, in strict mode it throws.
    /// </summary>
    internal static Sentence ParseLine(string line, string source, int lineNumber, OffsetConvention offsets,
        ReadOptions options, ReadReport report)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(source, lineNumber, null,
                $"malformed JSON at column {e.BytePositionInLine + 1}: {FirstSentence(e.Message)}");
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0)
            {
                throw new DataFormatException(source, lineNumber, null,
                    "expected a JSON array [text, [start, end, surface, TYPE], ...]");
            }

            JsonElement textElement = root[0];
            if (textElement.ValueKind != JsonValueKind.String)
            {
                throw new DataFormatException(source, lineNumber, "text",
                    $"must be a string, found {textElement.ValueKind}");
            }

            string text = JsonStrings.Get(textElement)
                ?? throw new DataFormatException(source, lineNumber, "text", JsonStrings.UnpairedSurrogate);
            var index = TextIndex.Build(text, offsets.Unit);
            var mentions = new List<GoldMention>(root.GetArrayLength() - 1);
            for (int m = 1; m < root.GetArrayLength(); m++)
            {
                try
                {
                    mentions.Add(ParseMention(root[m], m, text, index, offsets, options, source, lineNumber));
                }
                catch (DataFormatException e) when (options.Lenient)
                {
                    report.SkippedMentions++;
                    report.Note(e.Message);
                }
            }

            return new Sentence(text, mentions) { Source = source, Line = lineNumber };
        }
    }

    private static GoldMention ParseMention(JsonElement e, int m, string text, TextIndex index,
        OffsetConvention offsets, ReadOptions options, string source, int line)
    {
        string field = $"mention {m}";
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 4)
        {
            throw new DataFormatException(source, line, field, "expected [start, end, surface, TYPE]");
        }

        if (e[0].ValueKind != JsonValueKind.Number || e[1].ValueKind != JsonValueKind.Number
            || !e[0].TryGetInt32(out int start) || !e[1].TryGetInt32(out int end))
        {
            throw new DataFormatException(source, line, field, "start and end must be integers");
        }

        if (e[2].ValueKind != JsonValueKind.String || e[3].ValueKind != JsonValueKind.String)
        {
            throw new DataFormatException(source, line, field, "surface and TYPE must be strings");
        }

        string surface = JsonStrings.Get(e[2])
            ?? throw new DataFormatException(source, line, field, JsonStrings.UnpairedSurrogate);
        string label = JsonStrings.Get(e[3])
            ?? throw new DataFormatException(source, line, field, JsonStrings.UnpairedSurrogate);
        field = $"mention {m} (\"{surface}\", {label})";
        if (options.Schema is { } schema && !schema.Contains(label))
        {
            throw new DataFormatException(source, line, field, $"label '{label}' is not in schema {schema}");
        }

        int lastExclusive = offsets.EndInclusive ? end + 1 : end;
        CharSpan? span = index.Span(start, lastExclusive);
        if (span is null)
        {
            throw new DataFormatException(source, line, field,
                $"offsets [{start}, {end}] ({offsets}) are outside the text's {index.Count} {UnitName(offsets)}");
        }

        string found = span.Value.Slice(text);
        if (!string.Equals(found, surface, StringComparison.Ordinal))
        {
            throw new DataFormatException(source, line, field,
                $"offsets [{start}, {end}] ({offsets}) select \"{found}\", not the surface \"{surface}\"");
        }

        return new GoldMention(label, surface, span.Value);
    }

    private static string UnitName(OffsetConvention offsets) => offsets.Unit == OffsetUnit.WhitespaceToken ? "tokens"
        : "code points";

    private static string FirstSentence(string message)
    {
        int i = message.IndexOf(". ", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message.TrimEnd('.');
    }
}
