using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace PaDeLLM.Storage.Blobs;

/// <summary>
/// Blobs as files under <c>{root}/{container}/{name}</c>. Writes go to a temporary file that is
/// then renamed into place, so a reader (or a process killed mid-write) never sees half a blob.
/// </summary>
public sealed class LocalDirectoryBlobStore(string root) : IBlobStore
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Location => Root;

    public Task CreateContainerAsync(string container, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(ContainerPath(container));
        return Task.CompletedTask;
    }

    public async Task<bool> PutAsync(string container, string name, ReadOnlyMemory<byte> content, string contentType = "application/octet-stream", bool overwrite = true, CancellationToken cancel = default)
    {
        string path = BlobPath(container, name);
        if (!Directory.Exists(ContainerPath(container)))
        {
            throw new BlobContainerNotFoundException(container, Location);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temp, content.ToArray(), cancel);
        try
        {
            if (overwrite)
            {
                File.Move(temp, path, overwrite: true);
                return true;
            }

            // Create-only: a hard "no overwrite" rename fails if another writer got there first.
            File.Move(temp, path, overwrite: false);
            return true;
        }
        catch (IOException) when (!overwrite && File.Exists(path))
        {
            return false;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task<byte[]?> GetAsync(string container, string name, CancellationToken cancel = default)
    {
        string path = BlobPath(container, name);
        try
        {
            return await File.ReadAllBytesAsync(path, cancel);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<BlobItem> ListAsync(string container, string prefix = "", [EnumeratorCancellation] CancellationToken cancel = default)
    {
        string dir = ContainerPath(container);
        if (!Directory.Exists(dir))
        {
            throw new BlobContainerNotFoundException(container, Location);
        }

        var items = new List<BlobItem>();
        foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            string name = Path.GetRelativePath(dir, file).Replace(Path.DirectorySeparatorChar, '/');
            if (name.EndsWith(".tmp", StringComparison.Ordinal) || !name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var info = new FileInfo(file);
            string etag = Convert.ToHexString(SHA256.HashData(BitConverter.GetBytes(info.LastWriteTimeUtc.Ticks ^ info.Length)))[..16];
            items.Add(new BlobItem(name, info.Length, info.LastWriteTimeUtc, $"\"{etag}\""));
        }

        items.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (BlobItem item in items)
        {
            cancel.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(string container, string name, CancellationToken cancel = default)
    {
        string path = BlobPath(container, name);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        File.Delete(path);
        return Task.FromResult(true);
    }

    private string ContainerPath(string container) => Path.Combine(Root, BlobNames.Container(container));

    private string BlobPath(string container, string name) => Path.Combine(ContainerPath(container), BlobNames.Blob(name).Replace('/', Path.DirectorySeparatorChar));
}

/// <summary>The container does not exist (create it first).</summary>
public sealed class BlobContainerNotFoundException(string container, string location)
    : Exception($"container '{container}' does not exist at {location}")
{
    public string Container { get; } = container;
}
