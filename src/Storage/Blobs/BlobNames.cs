namespace PaDeLLM.Storage.Blobs;

/// <summary>
/// Validates container and blob names by Azure's rules, so the local store accepts exactly what Azure would.
/// </summary>
public static class BlobNames
{
    /// <summary>
    /// 3–63 characters: lowercase letters, digits and single hyphens, starting and ending with a letter or digit.
    /// </summary>
    public static string Container(string container)
    {
        bool ok = container.Length is >= 3 and <= 63
            && char.IsAsciiLetterOrDigit(container[0]) && char.IsAsciiLetterOrDigit(container[^1])
            && container.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            && !container.Contains("--", StringComparison.Ordinal);
        return ok ? container
            : throw new ArgumentException($"invalid container name '{container}': 3-63 lowercase letters, digits and "
            + $"single hyphens", nameof(container));
    }

    /// <summary>1–1024 characters, no empty, '.' or '..' path segments, no backslashes or control characters.</summary>
    public static string Blob(string name)
    {
        bool ok = name.Length is >= 1 and <= 1024
            && !name.Any(c => char.IsControl(c) || c == '\\')
            && name.Split('/').All(s => s.Length > 0 && s != "." && s != "..");
        return ok ? name : throw new ArgumentException($"invalid blob name '{name}': 1-1024 characters, '/'-separated "
            + $"non-empty segments other than '.' and '..'", nameof(name));
    }
}
