using System.Globalization;
using System.Text;

namespace PaDeLLM.Tokenizers.Bpe;

/// <summary>
/// Byte pieces <c>&lt;0xNN&gt;</c>: characters missing from a vocabulary are spelled as their UTF-8 bytes.
/// </summary>
public static class ByteFallback
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public static string Piece(byte b) => $"<0x{b:X2}>";

    /// <summary>The byte of a <c>&lt;0xNN&gt;</c> piece, or null.</summary>
    public static byte? ByteOf(string piece) =>
        piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.AllowHexSpecifier,
                CultureInfo.InvariantCulture, out byte b)
            ? b
            : null;

    /// <summary>
    /// Decodes a run of byte pieces: valid UTF-8 becomes its text; otherwise every byte becomes
    /// one U+FFFD (what HF tokenizers and SentencePiece do, unlike maximal-subpart replacement).
    /// </summary>
    public static string DecodeRun(List<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return new string('\uFFFD', bytes.Count);
        }
    }
}
