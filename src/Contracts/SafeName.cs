using System.Security.Cryptography;
using System.Text;

namespace PaDeLLM.Contracts;

/// <summary>
/// Ids (instance ids, document ids) as one path segment of a file or blob name and as a Durable
/// instance id: ASCII letters, digits, '-', '_' and a non-leading '.' kept, every other UTF-8
/// byte %XX-escaped, so distinct ids stay distinct and none can climb out of its folder. A long
/// escape keeps its head and ends with a hash of the whole id, so it fits a 255-byte file name.
/// </summary>
public static class SafeName
{
    /// <summary>The longest name <see cref="Escape"/> returns.</summary>
    public const int MaxLength = 120;

    public static string Escape(string id)
    {
        var sb = new StringBuilder();
        byte[] bytes = Encoding.UTF8.GetBytes(id);
        foreach (byte b in bytes)
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

        if (sb.Length <= MaxLength)
        {
            return sb.ToString();
        }

        // '~' never appears in an escape, so a hashed name cannot equal a short one.
        string hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..32];
        string head = sb.ToString(0, MaxLength - hash.Length - 1);
        int cut = head.LastIndexOf('%');
        if (cut >= head.Length - 2 && cut >= 0)
        {
            head = head[..cut]; // never end inside a %XX escape
        }

        return $"{head}~{hash}";
    }
}
