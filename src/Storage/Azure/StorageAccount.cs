namespace PaDeLLM.Storage.Azure;

/// <summary>
/// Where an Azure Storage account's blob and queue services are and how to sign for them:
/// a shared key (connection strings, Azurite) or a bearer-token provider (managed identity
/// in Azure, wired by the host with Azure.Identity).
/// </summary>
public sealed record StorageAccount(string Name, Uri BlobEndpoint, Uri QueueEndpoint, byte[]? Key, Func<CancellationToken, ValueTask<string>>? TokenProvider = null)
{
    /// <summary>The storage emulator's documented, public development account (Azurite); not a secret.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>True for emulator-style URLs (<c>http://127.0.0.1:10000/devstoreaccount1</c>), whose path starts with the account name.</summary>
    public bool PathStyle => BlobEndpoint.AbsolutePath.Trim('/').Length > 0;

    /// <summary>Azurite on loopback with the given ports.</summary>
    public static StorageAccount Development(int blobPort = 10000, int queuePort = 10001) => new(
        DevelopmentAccountName,
        new Uri($"http://127.0.0.1:{blobPort}/{DevelopmentAccountName}"),
        new Uri($"http://127.0.0.1:{queuePort}/{DevelopmentAccountName}"),
        Convert.FromBase64String(DevelopmentAccountKey));

    /// <summary>An account in Azure reached with bearer tokens (no key): <c>https://{name}.blob.core.windows.net</c>.</summary>
    public static StorageAccount WithToken(string name, Func<CancellationToken, ValueTask<string>> tokenProvider) => new(
        name, new Uri($"https://{name}.blob.core.windows.net"), new Uri($"https://{name}.queue.core.windows.net"), null, tokenProvider);

    /// <summary>
    /// Parses a storage connection string: <c>UseDevelopmentStorage=true</c>, or
    /// <c>AccountName=…;AccountKey=…</c> with <c>DefaultEndpointsProtocol</c>/<c>EndpointSuffix</c>
    /// or explicit <c>BlobEndpoint</c>/<c>QueueEndpoint</c>.
    /// </summary>
    public static StorageAccount Parse(string connectionString)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"storage connection string: '{Redact(part)}' is not key=value");
            }

            parts[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out string? dev) && dev.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return Development();
        }

        string name = parts.GetValueOrDefault("AccountName") ?? throw new FormatException("storage connection string: AccountName is missing");
        string keyText = parts.GetValueOrDefault("AccountKey") ?? throw new FormatException("storage connection string: AccountKey is missing");
        byte[] key;
        try
        {
            key = Convert.FromBase64String(keyText);
        }
        catch (FormatException)
        {
            throw new FormatException("storage connection string: AccountKey is not base64");
        }

        string protocol = parts.GetValueOrDefault("DefaultEndpointsProtocol") ?? "https";
        string suffix = parts.GetValueOrDefault("EndpointSuffix") ?? "core.windows.net";
        Uri Endpoint(string key, string service) => parts.TryGetValue(key, out string? explicitUri)
            ? new Uri(explicitUri.TrimEnd('/'))
            : new Uri($"{protocol}://{name}.{service}.{suffix}");
        return new StorageAccount(name, Endpoint("BlobEndpoint", "blob"), Endpoint("QueueEndpoint", "queue"), key);
    }

    private static string Redact(string part) => part.StartsWith("AccountKey", StringComparison.OrdinalIgnoreCase) ? "AccountKey=…" : part;
}
