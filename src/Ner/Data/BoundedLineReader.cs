using System.Buffers;
using System.Text;

namespace PaDeLLM.Ner.Data;

/// <summary>
/// Reads a stream line by line on '\n' only (CR is dropped before LF), decoding strict
/// UTF-8, without ever holding more than <c>maxLineBytes</c> of one line: an oversized
/// line is reported, not buffered.
/// </summary>
internal sealed class BoundedLineReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false,
        throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly string _source;
    private readonly int _maxLineBytes;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly ArrayBufferWriter<byte> _line = new();
    private int _pos;
    private int _len;
    private bool _eof;

    public BoundedLineReader(Stream stream, string source, int maxLineBytes)
    {
        _stream = stream;
        _source = source;
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>1-based number of the line last returned.</summary>
    public int LineNumber { get; private set; }

    /// <summary>True after the first line if the stream began with a UTF-8 byte order mark (it is skipped).</summary>
    public bool SawByteOrderMark { get; private set; }

    /// <summary>
    /// Next line, or null at end of stream. Throws <see cref="DataFormatException"/> for an oversized line or bad
    /// UTF-8.
    /// </summary>
    public string? ReadLine()
    {
        _line.ResetWrittenCount();
        bool tooLong = false;
        long lineBytes = 0;
        while (true)
        {
            if (_pos == _len)
            {
                if (_eof || !Fill())
                {
                    if (lineBytes == 0 && !tooLong)
                    {
                        return null;
                    }

                    break;
                }
            }

            int nl = Array.IndexOf(_buffer, (byte)'\n', _pos, _len - _pos);
            int end = nl < 0 ? _len : nl;
            int count = end - _pos;
            lineBytes += count;
            if (!tooLong && lineBytes > _maxLineBytes)
            {
                tooLong = true;
            }

            if (!tooLong)
            {
                _line.Write(_buffer.AsSpan(_pos, count));
            }

            _pos = end;
            if (nl >= 0)
            {
                _pos++;
                lineBytes++; // a line with just "\n" still counts as a line
                break;
            }
        }

        LineNumber++;
        if (tooLong)
        {
            throw new DataFormatException(_source, LineNumber, null,
                $"line is longer than the limit of {_maxLineBytes:N0} bytes");
        }

        ReadOnlySpan<byte> bytes = _line.WrittenSpan;
        if (LineNumber == 1 && bytes.StartsWith("\uFEFF"u8))
        {
            SawByteOrderMark = true;
            bytes = bytes[3..];
        }

        if (!bytes.IsEmpty && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFormatException(_source, LineNumber, null, $"invalid UTF-8 at byte {e.Index}");
        }
    }

    private bool Fill()
    {
        _pos = 0;
        _len = _stream.Read(_buffer, 0, _buffer.Length);
        if (_len == 0)
        {
            _eof = true;
            return false;
        }

        return true;
    }
}
