using System.Text.Json;
using System.Text.Json.Nodes;

namespace PaDeLLM.Ner.Data;

/// <summary>
/// Reading JSON strings from untrusted input. System.Text.Json parses an escape such as
/// <c>"\ud800"</c> (an unpaired surrogate) but throws <see cref="InvalidOperationException"/>
/// when asked for the string; these read it as null instead, so the caller can name the field.
/// </summary>
public static class JsonStrings
{
    public const string UnpairedSurrogate = "a string escape decodes to an unpaired surrogate (not valid Unicode)";

    /// <summary>True for a JSON string; <paramref name="s"/> is then null when it is not valid Unicode.</summary>
    public static bool TryGet(JsonValue v, out string? s)
    {
        try
        {
            return v.TryGetValue(out s);
        }
        catch (InvalidOperationException)
        {
            s = null;
            return true;
        }
    }

    /// <summary>A string element's value, or null when it is not valid Unicode.</summary>
    public static string? Get(JsonElement e)
    {
        try
        {
            return e.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
