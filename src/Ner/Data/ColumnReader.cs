using System.Text;

namespace PaDeLLM.Ner.Data;

/// <summary>
/// Reads CoNLL-style column files: one token per line, the tag in the last field, a blank
/// line between sentences. A line is split on its last TAB, else on its last ASCII space —
/// never on other Unicode whitespace, because some tokens are U+3000, U+00A0 or a space.
/// </summary>
public static class ColumnReader
{
    public static List<Sentence> ReadFile(string path, ColumnFormat format, ReadOptions? options = null,
        ReadReport? report = null)
    {
        using (FileStream stream = DataFiles.OpenRead(path))
        {
            return Read(stream, path, format, options, report).ToList();
        }
    }

    public static IEnumerable<Sentence> Read(Stream stream, string source, ColumnFormat format,
        ReadOptions? options = null, ReadReport? report = null)
    {
        options ??= ReadOptions.Strict;
        report ??= new ReadReport();
        var lines = new BoundedLineReader(stream, source, options.MaxLineBytes);
        var tokens = new List<string>();
        var tags = new List<string>();
        var tagLines = new List<int>();
        bool any = false;
        while (true)
        {
            string? line = lines.ReadLine();
            if (line is null || IsBlank(line))
            {
                if (tokens.Count > 0)
                {
                    Sentence? s = Build(tokens, tags, tagLines, source, format, options, report);
                    tokens.Clear();
                    tags.Clear();
                    tagLines.Clear();
                    if (s is not null)
                    {
                        report.Sentences++;
                        report.Mentions += s.Mentions.Count;
                        yield return s;
                    }
                }

                if (line is null)
                {
                    break;
                }

                continue;
            }

            any = true;
            (string token, string tag) = SplitLine(line, source, lines.LineNumber, format);
            tokens.Add(token);
            tags.Add(tag);
            tagLines.Add(lines.LineNumber);
        }

        if (!any)
        {
            throw new DataFormatException(source, 0, null,
                lines.LineNumber == 0 ? "file is empty" : "file has no token lines");
        }
    }

    private static bool IsBlank(string line)
    {
        foreach (char c in line)
        {
            if (c is not (' ' or '\t' or '\r'))
            {
                return false;
            }
        }

        return true;
    }

    private static (string Token, string Tag) SplitLine(string line, string source, int lineNumber, ColumnFormat format)
    {
        int tab = line.LastIndexOf('\t');
        char separator = tab >= 0 ? '\t' : ' ';
        int split = tab >= 0 ? tab : line.LastIndexOf(' ');
        if (split < 0)
        {
            throw new DataFormatException(source, lineNumber, "tag",
                $"no TAB or space separates a token from its tag in \"{Truncate(line)}\"");
        }

        string token = line[..split];
        string tag = line[(split + 1)..];
        if (tag.Length == 0)
        {
            throw new DataFormatException(source, lineNumber, "tag", "the tag is empty");
        }

        if (format.TokenIsFirstColumn)
        {
            int first = token.IndexOf(separator);
            if (first >= 0)
            {
                token = token[..first];
            }
        }

        if (format.DropTrailingDigit)
        {
            if (token.Length < 2 || !char.IsAsciiDigit(token[^1]))
            {
                throw new DataFormatException(source, lineNumber, "token",
                    $"expected a character followed by a position digit, found \"{token}\"");
            }

            token = token[..^1];
        }

        if (token.Length == 0)
        {
            throw new DataFormatException(source, lineNumber, "token", "the token is empty");
        }

        return (token, tag);
    }

    private static Sentence? Build(List<string> tokens, List<string> tags, List<int> tagLines, string source,
        ColumnFormat format, ReadOptions options, ReadReport report)
    {
        if (format.DocumentMarker is { } marker && tokens.Count == 1 && tokens[0] == marker)
        {
            return null;
        }

        List<TokenChunk> chunks;
        int repairs;
        try
        {
            chunks = ChunkDecoder.Decode(tags, format.Scheme,
                (i, problem) => throw new DataFormatException(source, tagLines[i], "tag", problem), out repairs,
                format.DropUnclosedChunks);
        }
        catch (DataFormatException e) when (options.Lenient)
        {
            report.SkippedLines += tokens.Count;
            report.Note(e.Message);
            return null;
        }

        report.RepairedTagSequences += repairs;

        var text = new StringBuilder();
        var starts = new int[tokens.Count];
        var ends = new int[tokens.Count];
        for (int i = 0; i < tokens.Count; i++)
        {
            if (i > 0 && format.JoinWithSpace)
            {
                text.Append(' ');
            }

            starts[i] = text.Length;
            text.Append(tokens[i]);
            ends[i] = text.Length;
        }

        string s = text.ToString();
        var mentions = new List<GoldMention>(chunks.Count);
        foreach (TokenChunk c in chunks)
        {
            string type = format.TypeMap is { } map && map.TryGetValue(c.Type, out string? mapped) ? mapped : c.Type;
            if (options.Schema is { } schema && !schema.Contains(type))
            {
                var e = new DataFormatException(source, tagLines[c.First], "tag",
                    $"type '{c.Type}' is not in schema {schema}");
                if (!options.Lenient)
                {
                    throw e;
                }

                report.SkippedMentions++;
                report.Note(e.Message);
                continue;
            }

            var span = new CharSpan(starts[c.First], ends[c.LastExclusive - 1]);
            mentions.Add(new GoldMention(type, span.Slice(s), span));
        }

        return new Sentence(s, mentions) { Source = source, Line = tagLines[0] };
    }

    private static string Truncate(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
