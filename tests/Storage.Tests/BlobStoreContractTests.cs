using System.Text;
using Azure;
using Azure.Storage.Sas;
using PaDeLLM.Storage.Azure;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Storage.Tests;

/// <summary>
/// One behaviour, two stores: the local directory and the Azure SDK against a real Azurite
/// must answer every operation the same way, so the pipeline can swap them.
/// </summary>
public sealed class BlobStoreContractTests
{
    [Fact]
    public async Task LocalDirectoryStoreHonoursTheContract()
    {
        using var dir = new TempDir();
        await Contract(name => new LocalDirectoryContainer(Path.Combine(dir.Path, name)));
    }

    [AzuriteFact]
    public async Task AzureBlobStoreHonoursTheContractOnAzurite()
    {
        using var azurite = new Azurite();
        StorageConnection account = azurite.Connection;

        // Pages of two blobs, so listing has to follow continuation tokens.
        await Contract(name =>
            new AzureBlobContainer(account.Blobs.GetBlobContainerClient(name)) { ListPageSize = 2 });
    }

    [AzuriteFact]
    public async Task ListedBlobsCarryTheServicesPropertiesAndContentType()
    {
        using var azurite = new Azurite();
        AzureBlobContainer store = azurite.Connection.Container("props");
        await store.CreateIfNotExistsAsync();
        DateTimeOffset before = DateTimeOffset.UtcNow.AddMinutes(-1);
        Assert.True(await store.PutAsync("doc.json", "{}"u8.ToArray(), "application/json"));

        BlobItem item = Assert.Single(await store.ListAsync().ToListAsync());
        var properties = (await store.Client.GetBlobClient("doc.json").GetPropertiesAsync()).Value;
        Assert.Equal(2, item.Length);
        Assert.Equal(properties.ETag.ToString("H"), item.ETag);
        Assert.StartsWith("\"", item.ETag, StringComparison.Ordinal); // usable as an If-Match header value
        Assert.InRange(item.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal("application/json", properties.ContentType);
    }

    [AzuriteFact]
    public async Task AWrongKeyIsRefusedByTheServiceWithItsErrorCode()
    {
        using var azurite = new Azurite();
        string wrongKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("not the account key"));
        var wrong = StorageConnection.Parse(
            azurite.ConnectionString.Replace(Azurite.AccountKey, wrongKey, StringComparison.Ordinal));
        var e = await Assert.ThrowsAsync<RequestFailedException>(
            () => wrong.Container("results").CreateIfNotExistsAsync());
        Assert.Equal(403, e.Status);
        Assert.Equal("AuthorizationFailure", e.ErrorCode);
    }

    [AzuriteFact]
    public async Task ASasConnectionStringReachesTheSameAccountAndKeepsTheSignatureOutOfLogs()
    {
        using var azurite = new Azurite();
        AzureBlobContainer viaKey = azurite.Connection.Container("shared");
        await viaKey.CreateIfNotExistsAsync();
        await viaKey.PutAsync("a.txt", "hello"u8.ToArray());

        Uri sas = azurite.Connection.Blobs.GenerateAccountSasUri(
            AccountSasPermissions.Read | AccountSasPermissions.List, DateTimeOffset.UtcNow.AddHours(1),
            AccountSasResourceTypes.Container | AccountSasResourceTypes.Object);
        string token = sas.Query.TrimStart('?');
        var viaSas = StorageConnection.Parse(
            $"BlobEndpoint=http://127.0.0.1:{azurite.BlobPort}/{Azurite.AccountName};"
            + $"QueueEndpoint=http://127.0.0.1:{azurite.QueuePort}/{Azurite.AccountName};"
            + $"SharedAccessSignature={token}");
        AzureBlobContainer shared = viaSas.Container("shared");

        Assert.Equal("hello", Encoding.UTF8.GetString((await shared.GetAsync("a.txt"))!));
        Assert.Equal(Azurite.AccountName, viaSas.AccountName);
        Assert.Equal($"http://127.0.0.1:{azurite.BlobPort}/{Azurite.AccountName}/shared", shared.Location);
        Assert.DoesNotContain("sig=", viaSas.Description, StringComparison.Ordinal);
        Assert.Contains("shared access signature", viaSas.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("a--b")]
    [InlineData("-ab")]
    public void BadContainerNamesAreRefusedBeforeAnyRequest(string name)
    {
        StorageConnection account = StorageConnection.Parse("UseDevelopmentStorage=true");
        var e = Assert.Throws<ArgumentException>(() => account.Container(name));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new AzureBlobContainer(account.Blobs.GetBlobContainerClient(name)));
    }

    private static async Task Contract(Func<string, IBlobContainer> open)
    {
        IBlobContainer missing = open("missing");
        await Assert.ThrowsAsync<BlobContainerNotFoundException>(() => missing.PutAsync("x", new byte[] { 1 }));
        await Assert.ThrowsAsync<BlobContainerNotFoundException>(
            () => missing.PutAsync("x", new byte[] { 1 }, overwrite: false));
        Assert.Null(await missing.GetAsync("x"));
        Assert.False(await missing.DeleteAsync("x"));
        await Assert.ThrowsAsync<BlobContainerNotFoundException>(async () => await missing.ListAsync().ToListAsync());

        IBlobContainer store = open("corpus");
        await store.CreateIfNotExistsAsync();
        await store.CreateIfNotExistsAsync(); // idempotent
        var names = new[] { "b.json", "a/1.json", "a/2.json", "a/sub/3.json", "ü/é 名.json" };
        foreach (string n in names)
        {
            Assert.True(await store.PutAsync(n, Encoding.UTF8.GetBytes("content of " + n), "application/json"));
        }

        foreach (string n in names)
        {
            Assert.Equal("content of " + n, Encoding.UTF8.GetString((await store.GetAsync(n))!));
        }

        Assert.Null(await store.GetAsync("a/none.json"));

        // Ranges: a window of the blob, shorter at its end, empty past it; null for no blob.
        byte[] whole = (await store.GetAsync("b.json"))!;
        Assert.Equal(whole[3..9], await store.GetRangeAsync("b.json", 3, 6));
        Assert.Equal(whole[8..], await store.GetRangeAsync("b.json", 8, 1000));
        Assert.Empty((await store.GetRangeAsync("b.json", whole.Length, 10))!);
        Assert.Empty((await store.GetRangeAsync("b.json", whole.Length + 50, 10))!);
        Assert.Null(await store.GetRangeAsync("a/none.json", 0, 10));
        Assert.Null(await missing.GetRangeAsync("x", 0, 10));
        var all = await store.ListAsync().Select(b => b.Name).ToListAsync();
        Assert.Equal(names.Order(StringComparer.Ordinal), all);
        var underA = await store.ListAsync("a/").ToListAsync();
        Assert.Equal(["a/1.json", "a/2.json", "a/sub/3.json"], underA.Select(b => b.Name));
        Assert.All(underA, b => Assert.Equal(Encoding.UTF8.GetByteCount("content of " + b.Name), b.Length));
        Assert.All(underA, b => Assert.Matches("^\".+\"$", b.ETag));
        Assert.Empty(await store.ListAsync("zzz/").ToListAsync());

        // Create-only writes never replace; overwrite does.
        Assert.False(await store.PutAsync("b.json", "other"u8.ToArray(), overwrite: false));
        Assert.Equal("content of b.json", Encoding.UTF8.GetString((await store.GetAsync("b.json"))!));
        Assert.True(await store.PutAsync("b.json", "replaced"u8.ToArray()));
        Assert.Equal("replaced", Encoding.UTF8.GetString((await store.GetAsync("b.json"))!));
        Assert.True(await store.PutAsync("c.json", ReadOnlyMemory<byte>.Empty, overwrite: false));
        Assert.Empty((await store.GetAsync("c.json"))!);

        Assert.True(await store.DeleteAsync("a/2.json"));
        Assert.False(await store.DeleteAsync("a/2.json"));
        Assert.Equal(["a/1.json", "a/sub/3.json"], await store.ListAsync("a/").Select(b => b.Name).ToListAsync());
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("../escape", new byte[] { 1 }));
    }
}
