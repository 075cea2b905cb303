namespace PaDeLLM.Ner.Data;

/// <summary>A decoded chunk: tokens [First, LastExclusive) of one type.</summary>
public readonly record struct TokenChunk(int First, int LastExclusive, string Type);

/// <summary>
/// Turns a tag sequence into chunks. A sequence that breaks its scheme (I- after O in BIO,
/// B- not closed by E- in BIOES) is read as conlleval reads it — a continuation without a
/// matching open chunk starts one, a chunk ends where the next tag does not continue it —
/// and counted as a repair, because the gold files contain a few such sequences.
/// </summary>
public static class ChunkDecoder
{
    private enum Role
    {
        Outside,
        Begin,
        Inside,
        End,
        Single,
    }

    /// <param name="tags">The tags, e.g. "B-PER", "O".</param>
    /// <param name="onBadTag">Called with (tag index, message) for a tag the scheme does not allow; must throw.</param>
    /// <param name="dropUnclosed">BIOES/BMES: drop a chunk begun by B- that is not closed by E- (what the paper's data
    /// conversion did), instead of keeping it.</param>
    public static List<TokenChunk> Decode(IReadOnlyList<string> tags, TagScheme scheme, Action<int, string> onBadTag,
        out int repairs, bool dropUnclosed = false)
    {
        var chunks = new List<TokenChunk>();
        repairs = 0;
        int openStart = -1;
        string? openType = null;
        bool openNeedsEnd = false; // BIOES/BMES: a chunk begun by B- must be closed by E-

        void Close(int end)
        {
            if (openType is not null && !(openNeedsEnd && dropUnclosed))
            {
                chunks.Add(new TokenChunk(openStart, end, openType));
            }

            openType = null;
            openStart = -1;
            openNeedsEnd = false;
        }

        for (int i = 0; i < tags.Count; i++)
        {
            (Role role, string? type) = Classify(tags[i], scheme, i, onBadTag);
            bool continues = openType is not null && openType == type;
            switch (role)
            {
                case Role.Outside:
                    if (openNeedsEnd)
                    {
                        repairs++;
                    }

                    Close(i);
                    break;

                case Role.Begin:
                    if (openNeedsEnd)
                    {
                        repairs++;
                    }

                    Close(i);
                    openStart = i;
                    openType = type;
                    openNeedsEnd = scheme is TagScheme.BIOES or TagScheme.BMES;
                    break;

                case Role.Inside:
                    if (!continues)
                    {
                        // IOB1 starts chunks with I-; for the other schemes it is a repair.
                        if (scheme != TagScheme.IOB1 || openNeedsEnd)
                        {
                            repairs++;
                        }

                        Close(i);
                        openStart = i;
                        openType = type;
                        openNeedsEnd = scheme is TagScheme.BIOES or TagScheme.BMES;
                    }

                    break;

                case Role.End:
                    if (!continues)
                    {
                        repairs++;
                        Close(i);
                        openStart = i;
                        openType = type;
                    }

                    openNeedsEnd = false; // properly closed
                    Close(i + 1);
                    break;

                case Role.Single:
                    if (openNeedsEnd)
                    {
                        repairs++;
                    }

                    Close(i);
                    openStart = i;
                    openType = type;
                    Close(i + 1);
                    break;
            }
        }

        if (openNeedsEnd)
        {
            repairs++;
        }

        Close(tags.Count);
        return chunks;
    }

    private static (Role Role, string? Type) Classify(string tag, TagScheme scheme, int index,
        Action<int, string> onBadTag)
    {
        if (tag == "O")
        {
            return (Role.Outside, null);
        }

        int dash = tag.IndexOf('-');
        if (dash <= 0 || dash == tag.Length - 1)
        {
            onBadTag(index, $"tag '{tag}' is neither O nor PREFIX-TYPE");
            return default;
        }

        string prefix = tag[..dash];
        string type = tag[(dash + 1)..];
        Role? role = (scheme, prefix) switch
        {
            (_, "B") => Role.Begin,
            (TagScheme.IOB1 or TagScheme.BIO or TagScheme.BIOES, "I") => Role.Inside,
            (TagScheme.BMES, "M") => Role.Inside,
            (TagScheme.BIOES or TagScheme.BMES, "E") => Role.End,
            (TagScheme.BIOES or TagScheme.BMES, "S") => Role.Single,
            _ => null,
        };
        if (role is null)
        {
            onBadTag(index, $"tag '{tag}' has prefix '{prefix}', which the {scheme} scheme does not use");
        }

        return (role ?? Role.Outside, type);
    }
}
