namespace PaDeLLM.Storage.Blobs;

/// <summary>
/// The few blob operations the pipeline needs (corpus in, results and manifests out). A local
/// directory is the default; <see cref="Azure.AzureBlobStore"/> speaks the Blob REST API.
/// Names are '/'-separated paths inside a container.
/// </summary>
public interface IBlobStore
{
    /// <summary>A readable description (directory or endpoint), for logs and errors.</summary>
    string Location { get; }

    Task CreateContainerAsync(string container, CancellationToken cancel = default);

    /// <summary>Writes a blob; with <paramref name="overwrite"/> false it returns false, writing nothing, when the blob exists.</summary>
    Task<bool> PutAsync(string container, string name, ReadOnlyMemory<byte> content, string contentType = "application/octet-stream", bool overwrite = true, CancellationToken cancel = default);

    /// <summary>The blob's content, or null when there is no such blob (or container).</summary>
    Task<byte[]?> GetAsync(string container, string name, CancellationToken cancel = default);

    /// <summary>Blobs whose names start with <paramref name="prefix"/>, in name order (ordinal).</summary>
    IAsyncEnumerable<BlobItem> ListAsync(string container, string prefix = "", CancellationToken cancel = default);

    /// <summary>Deletes the blob; false when it did not exist.</summary>
    Task<bool> DeleteAsync(string container, string name, CancellationToken cancel = default);
}

/// <summary>One listed blob.</summary>
public sealed record BlobItem(string Name, long Length, DateTimeOffset LastModified, string ETag);
