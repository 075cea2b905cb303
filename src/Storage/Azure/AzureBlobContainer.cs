using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using PaDeLLM.Storage.Blobs;

namespace PaDeLLM.Storage.Azure;

/// <summary>One container through the Blob service's REST API for block blobs: create, put (optionally create-only), get, list, delete.</summary>
public sealed class AzureBlobContainer(HttpClient http, StorageAccount account, string container) : IBlobContainer
{
    private readonly StorageRestClient _rest = new(http, account, account.BlobEndpoint);
    private readonly string _container = BlobNames.Container(container);

    public string Location => $"{account.BlobEndpoint.AbsoluteUri.TrimEnd('/')}/{_container}";

    /// <summary>Most blobs per list page (the service's cap is 5000); smaller pages exercise continuation.</summary>
    public int ListPageSize { get; init; } = 5000;

    public async Task CreateIfNotExistsAsync(CancellationToken cancel = default)
    {
        try
        {
            using var _ = await _rest.SendAsync(HttpMethod.Put, $"{_container}?restype=container", null, null, cancel, HttpStatusCode.Created);
        }
        catch (StorageRequestFailedException e) when (e.ErrorCode == "ContainerAlreadyExists")
        {
        }
    }

    public async Task<bool> PutAsync(string name, ReadOnlyMemory<byte> content, string contentType = "application/octet-stream", bool overwrite = true, CancellationToken cancel = default)
    {
        var body = new ReadOnlyMemoryContent(content);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        try
        {
            using var _ = await _rest.SendAsync(HttpMethod.Put, BlobPath(name), body, r =>
            {
                r.Headers.Add("x-ms-blob-type", "BlockBlob");
                if (!overwrite)
                {
                    r.Headers.TryAddWithoutValidation("If-None-Match", "*");
                }
            }, cancel, HttpStatusCode.Created);
            return true;
        }
        catch (StorageRequestFailedException e) when (!overwrite && e.Status is HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
        catch (StorageRequestFailedException e) when (e.ErrorCode == "ContainerNotFound")
        {
            throw new BlobContainerNotFoundException(Location);
        }
    }

    public async Task<byte[]?> GetAsync(string name, CancellationToken cancel = default)
    {
        using HttpResponseMessage r = await _rest.SendAsync(HttpMethod.Get, BlobPath(name), null, null, cancel, HttpStatusCode.OK, HttpStatusCode.NotFound);
        return r.StatusCode == HttpStatusCode.NotFound ? null : await r.Content.ReadAsByteArrayAsync(cancel);
    }

    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancel = default)
    {
        string? marker = null;
        do
        {
            string query = $"{_container}?restype=container&comp=list&maxresults={ListPageSize}&prefix={Uri.EscapeDataString(prefix)}"
                + (marker is null ? "" : $"&marker={Uri.EscapeDataString(marker)}");
            XElement page;
            try
            {
                using HttpResponseMessage r = await _rest.SendAsync(HttpMethod.Get, query, null, null, cancel, HttpStatusCode.OK);
                page = XElement.Parse(await r.Content.ReadAsStringAsync(cancel));
            }
            catch (StorageRequestFailedException e) when (e.ErrorCode == "ContainerNotFound")
            {
                throw new BlobContainerNotFoundException(Location);
            }

            foreach (XElement blob in page.Element("Blobs")?.Elements("Blob") ?? [])
            {
                XElement? p = blob.Element("Properties");
                yield return new BlobItem(
                    blob.Element("Name")!.Value,
                    long.Parse(p?.Element("Content-Length")?.Value ?? "0", CultureInfo.InvariantCulture),
                    DateTimeOffset.Parse(p?.Element("Last-Modified")?.Value ?? "1970-01-01Z", CultureInfo.InvariantCulture),
                    p?.Element("Etag")?.Value ?? "");
            }

            marker = page.Element("NextMarker")?.Value;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancel = default)
    {
        using HttpResponseMessage r = await _rest.SendAsync(HttpMethod.Delete, BlobPath(name), null, null, cancel, HttpStatusCode.Accepted, HttpStatusCode.NotFound);
        return r.StatusCode == HttpStatusCode.Accepted;
    }

    private string BlobPath(string name) =>
        $"{_container}/{string.Join('/', BlobNames.Blob(name).Split('/').Select(Uri.EscapeDataString))}";
}
