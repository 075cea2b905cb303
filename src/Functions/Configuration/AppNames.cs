namespace PaDeLLM.Functions.Configuration;

/// <summary>
/// The storage names the app's triggers are compiled with (binding attributes need constants)
/// and that the infrastructure's outputs name: the corpus container, the ingestion queue and its
/// poison queue (the host's own), the results container, and the host storage's setting.
/// </summary>
public static class AppNames
{
    public const string CorpusContainer = "corpus";

    public const string ResultsContainer = "results";

    public const string IngestQueue = "ingest";

    /// <summary>Where the host moves an ingestion message after maxDequeueCount failed tries.</summary>
    public const string IngestPoisonQueue = IngestQueue + "-poison";

    /// <summary>The host's storage setting: a connection string, or identity-based <c>__accountName</c> etc.</summary>
    public const string StorageConnection = "AzureWebJobsStorage";

    /// <summary>Result blobs of documents posted to <c>api/extract</c>.</summary>
    public const string ApiResultsPrefix = "api/";

    /// <summary>Result blobs of documents from the ingestion queue.</summary>
    public const string IngestResultsPrefix = IngestQueue + "/";
}
