using System.Text;

namespace PaDeLLM.Orchestrations;

/// <summary>
/// Ids (instance ids, document ids) as one path segment of a file or blob name: ASCII letters,
/// digits, '-', '_' and a non-leading '.' kept, every other UTF-8 byte %XX-escaped, so distinct
/// ids stay distinct and none can climb out of its folder.
/// </summary>
public static class SafeName
{
    public static string Escape(string id)
    {
        var sb = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(id))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || (c == '.' && sb.Length > 0))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
