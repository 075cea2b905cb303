using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using PaDeLLM.Storage.Blobs;

namespace PaDeLLM.Storage.Azure;

/// <summary>
/// How the pipeline reaches one storage account: SDK clients for its blob and queue services,
/// built from a connection string (shared key, SAS, or Azurite's <c>UseDevelopmentStorage=true</c>)
/// or from an account name/URL with an Entra ID credential (managed identity in Azure).
/// <see cref="Description"/> and <see cref="ToString"/> never contain a key, so either can be logged.
/// </summary>
public sealed class StorageConnection
{
    private StorageConnection(
        BlobServiceClient blobs, QueueServiceClient queues, string accountName, string how,
        string? connectionString, TokenCredential? credential)
    {
        Blobs = blobs;
        Queues = queues;
        AccountName = accountName;
        ConnectionString = connectionString;
        Credential = credential;
        Description = $"account {accountName} ({WithoutQuery(blobs.Uri)}, {WithoutQuery(queues.Uri)}) via {how}";
    }

    public BlobServiceClient Blobs { get; }

    public QueueServiceClient Queues { get; }

    public string AccountName { get; }

    /// <summary>Account, endpoints and kind of credential; safe to log.</summary>
    public string Description { get; }

    /// <summary>The connection string this was parsed from (a secret); null for identity-based connections.</summary>
    public string? ConnectionString { get; }

    /// <summary>The Entra ID credential; null when the connection string carries the credential.</summary>
    public TokenCredential? Credential { get; }

    /// <summary>
    /// A connection string (anything with '='), an account name, or a service URL
    /// (<c>https://ACCOUNT.blob.core.windows.net</c>). For the last two the credential is a
    /// managed identity with <paramref name="clientId"/> (default $AZURE_CLIENT_ID) when one is
    /// known, else DefaultAzureCredential. ArgumentException, never quoting a key, when malformed.
    /// </summary>
    public static StorageConnection Parse(string spec, string? clientId = null) =>
        ParseSpec(spec, clientId ?? NonEmpty(Environment.GetEnvironmentVariable("AZURE_CLIENT_ID")));

    /// <summary>The connection the environment configures, else null; see the overload.</summary>
    public static StorageConnection? FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>
    /// The account <paramref name="spec"/> names (see <see cref="Parse"/>), else the environment's, else null.
    /// </summary>
    public static StorageConnection? From(string? spec) => spec is null ? FromEnvironment() : Parse(spec);

    /// <summary>
    /// $PADELLM_STORAGE, else $AzureWebJobsStorage (each parsed by <see cref="Parse(string, string?)"/>),
    /// else the Functions host's identity-based settings <c>AzureWebJobsStorage__accountName</c>,
    /// <c>__blobServiceUri</c>, <c>__queueServiceUri</c>, <c>__clientId</c> and
    /// <c>__credential</c> (only <c>managedidentity</c>); null when none is set.
    /// </summary>
    public static StorageConnection? FromEnvironment(Func<string, string?> variable)
    {
        string? Get(string name) => NonEmpty(variable(name));
        string? clientId = Get("AZURE_CLIENT_ID");
        if ((Get("PADELLM_STORAGE") ?? Get("AzureWebJobsStorage")) is { } spec)
        {
            return ParseSpec(spec, clientId);
        }

        const string Prefix = "AzureWebJobsStorage__";
        string? account = Get(Prefix + "accountName");
        string? blob = Get(Prefix + "blobServiceUri");
        string? queue = Get(Prefix + "queueServiceUri");
        if (account is null && blob is null && queue is null)
        {
            return null;
        }

        string? kind = Get(Prefix + "credential");
        if (kind is not null && !kind.Equals("managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"{Prefix}credential: only 'managedidentity' is supported", nameof(variable));
        }

        return WithIdentity(
            StorageEndpoints.ForFunctionsSettings(account, blob, queue),
            Get(Prefix + "clientId") ?? clientId,
            managedIdentity: kind is not null);
    }

    /// <summary>
    /// One container of this account, not yet created: see <see cref="AzureBlobContainer.CreateIfNotExistsAsync"/>.
    /// </summary>
    public AzureBlobContainer Container(string name) => new(Blobs.GetBlobContainerClient(BlobNames.Container(name)));

    /// <summary>One queue of this account, not yet created: see <see cref="AzureQueue.CreateAsync"/>.</summary>
    public AzureQueue Queue(string name) => new(Queues.GetQueueClient(AzureQueue.QueueName(name)));

    public override string ToString() => Description;

    private static StorageConnection ParseSpec(string spec, string? clientId)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec = spec.Trim();
        if (spec.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            || spec.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return WithIdentity(StorageEndpoints.ForServiceUrl(spec, "storage URL"), clientId, managedIdentity: false);
        }

        if (spec.Contains('=', StringComparison.Ordinal))
        {
            return WithConnectionString(spec);
        }

        if (StorageEndpoints.IsAccountName(spec))
        {
            return WithIdentity(StorageEndpoints.ForAccount(spec), clientId, managedIdentity: false);
        }

        // Not echoed: a lone key pasted here must not reach a log.
        throw new ArgumentException(
            "storage: expected a connection string (KEY=VALUE;...), "
            + "an account name (3-24 lowercase letters and digits) "
            + $"or https://ACCOUNT.blob.{StorageEndpoints.DefaultSuffix}", nameof(spec));
    }

    private static StorageConnection WithConnectionString(string connectionString)
    {
        ConnectionStringSpec spec = ConnectionStringSpec.Parse(connectionString);
        BlobServiceClient blobs;
        QueueServiceClient queues;
        try
        {
            blobs = new BlobServiceClient(connectionString, BlobOptions());
            queues = new QueueServiceClient(connectionString, QueueOptions());
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's own objections, with any secret it might quote masked.
            throw ConnectionStringSpec.Invalid(spec.Redact(e.Message));
        }

        string how = spec.IsDevelopmentStorage ? "development storage (Azurite)"
            : spec.HasAccountKey ? "shared key" : "shared access signature";
        return new StorageConnection(
            blobs, queues, spec.AccountName ?? blobs.AccountName, how, connectionString, credential: null);
    }

    private static StorageConnection WithIdentity(StorageEndpoints endpoints, string? clientId, bool managedIdentity)
    {
        TokenCredential credential = StorageCredentials.Choose(clientId, managedIdentity);
        return new StorageConnection(
            new BlobServiceClient(endpoints.Blob, credential, BlobOptions()),
            new QueueServiceClient(endpoints.Queue, credential, QueueOptions()),
            endpoints.AccountName,
            StorageCredentials.Describe(credential, clientId),
            connectionString: null,
            credential);
    }

    private static BlobClientOptions BlobOptions() => new();

    // The Functions queue trigger expects base64 message bodies, so every queue client encodes so.
    private static QueueClientOptions QueueOptions()
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        options.MessageDecodingFailed += UndecodableMessages.MoveToPoisonQueue;
        return options;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string WithoutQuery(Uri uri) => uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
}
