namespace PaDeLLM.Storage.Blobs;

/// <summary>
/// The few blob operations the pipeline needs (corpus in, results and manifests out), on one
/// container. A local directory is the default; <see cref="Azure.AzureBlobContainer"/> is the
/// Azure SDK's. Names are '/'-separated paths inside the container.
/// </summary>
public interface IBlobContainer
{
    /// <summary>A readable description (directory or URL), for logs and errors.</summary>
    string Location { get; }

    Task CreateIfNotExistsAsync(CancellationToken cancel = default);

    /// <summary>
    /// Writes a blob; with <paramref name="overwrite"/> false
    /// it returns false, writing nothing, when the blob exists.
    /// </summary>
    Task<bool> PutAsync(
        string name,
        ReadOnlyMemory<byte> content,
        string contentType = "application/octet-stream",
        bool overwrite = true,
        CancellationToken cancel = default);

    /// <summary>The blob's content, or null when there is no such blob (or container).</summary>
    Task<byte[]?> GetAsync(string name, CancellationToken cancel = default);

    /// <summary>
    /// At most <paramref name="length"/> bytes of the blob from <paramref name="offset"/> (fewer at its
    /// end, none past it), or null when there is no such blob: large corpora are read a window at a time.
    /// </summary>
    Task<byte[]?> GetRangeAsync(string name, long offset, int length, CancellationToken cancel = default);

    /// <summary>Blobs whose names start with <paramref name="prefix"/>, in ordinal name order.</summary>
    IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", CancellationToken cancel = default);

    /// <summary>Deletes the blob; false when it did not exist.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancel = default);
}

/// <summary>One listed blob.</summary>
public sealed record BlobItem(string Name, long Length, DateTimeOffset LastModified, string ETag);

/// <summary>The container does not exist (create it first).</summary>
public sealed class BlobContainerNotFoundException(string location)
    : Exception($"container {location} does not exist")
{
    public string Location { get; } = location;
}
