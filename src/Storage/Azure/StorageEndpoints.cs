namespace PaDeLLM.Storage.Azure;

/// <summary>
/// The blob and queue service URLs of an account reached by identity (no key): from its name,
/// or from one service URL (<c>https://ACCOUNT.blob.core.windows.net</c>), whose sibling
/// service is the same host with <c>queue</c> for <c>blob</c> (and back).
/// </summary>
internal sealed record StorageEndpoints(string AccountName, Uri Blob, Uri Queue)
{
    public const string DefaultSuffix = "core.windows.net";

    /// <summary>3–24 lowercase letters and digits, Azure's rule for storage account names.</summary>
    public static bool IsAccountName(string name) =>
        name.Length is >= 3 and <= 24 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));

    public static StorageEndpoints ForAccount(string name) => IsAccountName(name)
        ? new(name, new Uri($"https://{name}.blob.{DefaultSuffix}"), new Uri($"https://{name}.queue.{DefaultSuffix}"))
        : throw new ArgumentException(
            $"storage account name '{name}' is not 3-24 lowercase letters and digits", nameof(name));

    /// <summary>From a service URL; <paramref name="what"/> names the setting in error messages.</summary>
    public static StorageEndpoints ForServiceUrl(string url, string what) => FromServiceUri(ServiceUri(url, what))
        ?? throw new ArgumentException(
            $"{what}: expected https://ACCOUNT.blob.{DefaultSuffix} (or .queue.), got another host", nameof(url));

    /// <summary>
    /// The Functions host's identity-based settings: explicit service URLs win, else the
    /// account name's defaults; a missing one is derived from the other when its host allows.
    /// </summary>
    public static StorageEndpoints ForFunctionsSettings(string? accountName, string? blobUrl, string? queueUrl)
    {
        const string Prefix = "AzureWebJobsStorage__";
        Uri? blob = blobUrl is null ? null : ServiceUri(blobUrl, Prefix + "blobServiceUri");
        Uri? queue = queueUrl is null ? null : ServiceUri(queueUrl, Prefix + "queueServiceUri");
        StorageEndpoints? fallback = accountName is not null ? ForAccount(accountName)
            : (blob is null ? null : FromServiceUri(blob)) ?? (queue is null ? null : FromServiceUri(queue));
        Uri blobUri = blob ?? fallback?.Blob
            ?? throw new ArgumentException($"set {Prefix}blobServiceUri or {Prefix}accountName", nameof(blobUrl));
        Uri queueUri = queue ?? fallback?.Queue
            ?? throw new ArgumentException($"set {Prefix}queueServiceUri or {Prefix}accountName", nameof(queueUrl));
        return new(fallback?.AccountName ?? blobUri.Host.Split('.')[0], blobUri, queueUri);
    }

    private static Uri ServiceUri(string url, string what)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            // Bearer tokens go only over TLS; the SDK would refuse them on http.
            throw new ArgumentException($"{what}: not an absolute https URL", nameof(url));
        }

        if (uri.Query.Length > 0 || uri.AbsolutePath.Trim('/').Length > 0)
        {
            // Not echoed: a query here is most likely a SAS token.
            throw new ArgumentException($"{what}: a service URL has no path or query", nameof(url));
        }

        return uri;
    }

    /// <summary>Both services from one URL whose host is <c>ACCOUNT.(blob|queue).SUFFIX</c>; else null.</summary>
    private static StorageEndpoints? FromServiceUri(Uri uri)
    {
        string[] labels = uri.Host.Split('.', 3);
        if (labels.Length != 3 || !IsAccountName(labels[0]) || labels[1] is not ("blob" or "queue"))
        {
            return null;
        }

        Uri Service(string service) => new UriBuilder(uri) { Host = $"{labels[0]}.{service}.{labels[2]}" }.Uri;
        return new(labels[0], Service("blob"), Service("queue"));
    }
}
