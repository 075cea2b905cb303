namespace PaDeLLM.Storage.Azure;

/// <summary>
/// A storage connection string checked before the Azure SDK sees it, so that a bad one is
/// refused with a message naming the faulty setting; no message ever repeats a secret value.
/// </summary>
internal sealed class ConnectionStringSpec
{
    private static readonly string[] SecretKeys = ["AccountKey", "SharedAccessSignature"];

    private readonly Dictionary<string, string> _parts;

    private ConnectionStringSpec(Dictionary<string, string> parts) => _parts = parts;

    public bool IsDevelopmentStorage => _parts.ContainsKey("UseDevelopmentStorage");

    public bool HasAccountKey => _parts.ContainsKey("AccountKey");

    public string? AccountName => _parts.GetValueOrDefault("AccountName");

    /// <summary>Splits and validates <paramref name="text"/>; ArgumentException names what is wrong.</summary>
    public static ConnectionStringSpec Parse(string text)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string[] segments = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (int i = 0; i < segments.Length; i++)
        {
            int eq = segments[i].IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                // The segment itself is not shown: it may be a fragment of a key.
                throw Invalid($"segment {i + 1} is not KEY=VALUE");
            }

            parts[segments[i][..eq].Trim()] = segments[i][(eq + 1)..].Trim();
        }

        var spec = new ConnectionStringSpec(parts);
        spec.Validate();
        return spec;
    }

    /// <summary><paramref name="text"/> with every secret value of this connection string masked.</summary>
    public string Redact(string text)
    {
        foreach (string key in SecretKeys)
        {
            if (_parts.TryGetValue(key, out string? secret) && secret.Length > 0)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }

    public static ArgumentException Invalid(string problem) =>
        new($"storage connection string: {problem}");

    private void Validate()
    {
        if (_parts.Count == 0)
        {
            throw Invalid("it is empty");
        }

        if (_parts.TryGetValue("UseDevelopmentStorage", out string? dev))
        {
            // The SDK fills in Azurite's well-known account, key and loopback endpoints.
            if (!dev.Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid("UseDevelopmentStorage must be 'true'");
            }

            return;
        }

        if (_parts.TryGetValue("AccountKey", out string? key))
        {
            if (!IsBase64(key))
            {
                throw Invalid("AccountKey is not base64");
            }

            if (string.IsNullOrEmpty(AccountName))
            {
                throw Invalid("AccountName is missing (AccountKey needs it)");
            }
        }
        else if (!_parts.ContainsKey("SharedAccessSignature"))
        {
            throw Invalid("it has neither AccountKey nor SharedAccessSignature (nor UseDevelopmentStorage=true)");
        }

        if (_parts.TryGetValue("DefaultEndpointsProtocol", out string? protocol)
            && protocol is not ("http" or "https"))
        {
            throw Invalid("DefaultEndpointsProtocol must be http or https");
        }

        foreach (string endpoint in new[] { "BlobEndpoint", "QueueEndpoint" })
        {
            if (_parts.TryGetValue(endpoint, out string? uri))
            {
                if (!Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) || parsed.Scheme is not ("http" or "https"))
                {
                    throw Invalid($"{endpoint} is not an absolute http(s) URL");
                }
            }
            else if (string.IsNullOrEmpty(AccountName))
            {
                throw Invalid($"{endpoint} is missing (or give AccountName)");
            }
        }
    }

    private static bool IsBase64(string text) =>
        text.Length > 0 && Convert.TryFromBase64String(text, new byte[text.Length], out _);
}
