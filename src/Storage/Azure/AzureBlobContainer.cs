using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using PaDeLLM.Storage.Blobs;
using BlobItem = PaDeLLM.Storage.Blobs.BlobItem;
using SdkBlobItem = Azure.Storage.Blobs.Models.BlobItem;

namespace PaDeLLM.Storage.Azure;

/// <summary>
/// One blob container through the Azure SDK (block blobs): create, put (optionally
/// create-only), get, list, delete. Get <c>StorageConnection.Container(name)</c> for one.
/// </summary>
public sealed class AzureBlobContainer : IBlobContainer
{
    public AzureBlobContainer(BlobContainerClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        BlobNames.Container(client.Name);
        Client = client;
    }

    public BlobContainerClient Client { get; }

    /// <summary>The container's URL without any query, so a SAS never reaches a log.</summary>
    public string Location => Client.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/');

    /// <summary>Most blobs per list page (the service's cap is 5000); smaller pages exercise continuation.</summary>
    public int ListPageSize { get; init; } = 5000;

    public async Task CreateIfNotExistsAsync(CancellationToken cancel = default) =>
        await Client.CreateIfNotExistsAsync(cancellationToken: cancel);

    public async Task<bool> PutAsync(
        string name, ReadOnlyMemory<byte> content, string contentType = "application/octet-stream",
        bool overwrite = true, CancellationToken cancel = default)
    {
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType },

            // If-None-Match: * makes the write conditional on there being no blob yet.
            Conditions = overwrite ? null : new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        try
        {
            await Blob(name).UploadAsync(BinaryData.FromBytes(content), options, cancel);
            return true;
        }
        catch (RequestFailedException e) when (!overwrite && e.Status is 409 or 412
            && e.ErrorCode is "BlobAlreadyExists" or "ConditionNotMet")
        {
            return false;
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            throw new BlobContainerNotFoundException(Location);
        }
    }

    public async Task<byte[]?> GetAsync(string name, CancellationToken cancel = default)
    {
        try
        {
            Response<BlobDownloadResult> r = await Blob(name).DownloadContentAsync(cancel);
            return r.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null; // BlobNotFound or ContainerNotFound
        }
    }

    public async Task<byte[]?> GetRangeAsync(string name, long offset, int length, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            return await Blob(name).ExistsAsync(cancel) ? [] : null;
        }

        try
        {
            var options = new BlobDownloadOptions { Range = new HttpRange(offset, length) };
            Response<BlobDownloadResult> r = await Blob(name).DownloadContentAsync(options, cancel);
            return r.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 416)
        {
            return []; // the range starts past the blob's end
        }
    }

    public async IAsyncEnumerable<BlobItem> ListAsync(
        string prefix = "", [EnumeratorCancellation] CancellationToken cancel = default)
    {
        // The service lists in name order, page by page; only the fetching of a page can fail.
        var options = new GetBlobsOptions { Prefix = prefix.Length == 0 ? null : prefix };
        await using IAsyncEnumerator<Page<SdkBlobItem>> pages = Client
            .GetBlobsAsync(options, cancel).AsPages(pageSizeHint: ListPageSize).GetAsyncEnumerator(cancel);
        while (true)
        {
            try
            {
                if (!await pages.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                throw new BlobContainerNotFoundException(Location);
            }

            foreach (SdkBlobItem b in pages.Current.Values)
            {
                yield return new BlobItem(
                    b.Name,
                    b.Properties.ContentLength ?? 0,
                    b.Properties.LastModified ?? DateTimeOffset.UnixEpoch,
                    // Quoted, as in HTTP headers (listings leave the quotes off), like the local store's.
                    b.Properties.ETag?.ToString("H") ?? "");
            }
        }
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancel = default)
    {
        // False for a missing blob and for a missing container alike.
        Response<bool> deleted = await Blob(name).DeleteIfExistsAsync(cancellationToken: cancel);
        return deleted.Value;
    }

    private BlobClient Blob(string name) => Client.GetBlobClient(BlobNames.Blob(name));
}
