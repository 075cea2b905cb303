using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace PaDeLLM.Storage.Blobs;

/// <summary>
/// A directory as a container: blob <c>a/b.json</c> is the file <c>{directory}/a/b.json</c>.
/// Writes go to a temporary file that is then renamed into place, so a reader (or a process
/// killed mid-write) never sees half a blob.
/// </summary>
public sealed class LocalDirectoryContainer(string directory) : IBlobContainer
{
    public string Directory { get; } = Path.GetFullPath(directory);

    public string Location => Directory;

    public Task CreateIfNotExistsAsync(CancellationToken cancel = default)
    {
        System.IO.Directory.CreateDirectory(Directory);
        return Task.CompletedTask;
    }

    public async Task<bool> PutAsync(
        string name,
        ReadOnlyMemory<byte> content,
        string contentType = "application/octet-stream",
        bool overwrite = true,
        CancellationToken cancel = default)
    {
        string path = BlobPath(name);
        if (!System.IO.Directory.Exists(Directory))
        {
            throw new BlobContainerNotFoundException(Location);
        }

        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
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

    public async Task<byte[]?> GetAsync(string name, CancellationToken cancel = default)
    {
        string path = BlobPath(name);
        try
        {
            return await File.ReadAllBytesAsync(path, cancel);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async Task<byte[]?> GetRangeAsync(string name, long offset, int length, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        string path = BlobPath(name);
        try
        {
            await using var file = new FileStream(
                path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: true);
            if (offset >= file.Length)
            {
                return [];
            }

            file.Position = offset;
            byte[] buffer = new byte[(int)Math.Min(length, file.Length - offset)];
            await file.ReadExactlyAsync(buffer, cancel);
            return buffer;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<BlobItem> ListAsync(
        string prefix = "", [EnumeratorCancellation] CancellationToken cancel = default)
    {
        string dir = Directory;
        if (!System.IO.Directory.Exists(dir))
        {
            throw new BlobContainerNotFoundException(Location);
        }

        var items = new List<BlobItem>();
        foreach (string file in System.IO.Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            string name = Path.GetRelativePath(dir, file).Replace(Path.DirectorySeparatorChar, '/');
            if (name.EndsWith(".tmp", StringComparison.Ordinal) || !name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var info = new FileInfo(file);
            string etag = Convert.ToHexString(
                SHA256.HashData(BitConverter.GetBytes(info.LastWriteTimeUtc.Ticks ^ info.Length)))[..16];
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

    public Task<bool> DeleteAsync(string name, CancellationToken cancel = default)
    {
        string path = BlobPath(name);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        File.Delete(path);
        return Task.FromResult(true);
    }

    private string BlobPath(string name) =>
        Path.Combine(Directory, BlobNames.Blob(name).Replace('/', Path.DirectorySeparatorChar));
}
