using System.Text;

namespace PaDeLLM.Tokenizers.Bpe;

/// <summary>
/// GPT-2's bytes-to-unicode table: every byte gets a printable stand-in character (printable
/// Latin-1 bytes map to themselves, the rest to U+0100 onwards; the space byte becomes 'Ġ').
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = Build();
    private static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, (byte)b))
        .ToDictionary(x => x.c, x => x.Item2);

    public static char Encode(byte b) => ByteToChar[b];

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteToChar[bytes[i]];
        }

        return new string(chars);
    }

    /// <summary>
    /// Back to bytes; a character outside the table (an added token's) contributes its own UTF-8 bytes.
    /// </summary>
    public static void Decode(string token, List<byte> output)
    {
        Span<byte> buf = stackalloc byte[4];
        foreach (Rune r in token.EnumerateRunes())
        {
            if (r.IsBmp && CharToByte.TryGetValue((char)r.Value, out byte b))
            {
                output.Add(b);
            }
            else
            {
                int n = r.EncodeToUtf8(buf);
                output.AddRange(buf[..n].ToArray());
            }
        }
    }

    private static char[] Build()
    {
        var table = new char[256];
        var direct = new bool[256];
        foreach ((int lo, int hi) in new[] { ('!', '~'), ('¡', '¬'), ('®', 'ÿ') })
        {
            for (int b = lo; b <= hi; b++)
            {
                direct[b] = true;
                table[b] = (char)b;
            }
        }

        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            if (!direct[b])
            {
                table[b] = (char)next++;
            }
        }

        return table;
    }
}
