using System.Text;
using PaDeLLM.Storage.Azure;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Storage.Tests;

/// <summary>
/// One behaviour, two stores: the local directory and the Blob REST API against a real
/// Azurite must answer every operation the same way, so the pipeline can swap them.
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
        using var http = new HttpClient();
        await Contract(name => new AzureBlobContainer(http, azurite.Account, name) { ListPageSize = 2 });
    }

    [AzuriteFact]
    public async Task AWrongKeyIsRefusedByTheServiceWithItsErrorCode()
    {
        using var azurite = new Azurite();
        using var http = new HttpClient();
        var wrong = azurite.Account with { Key = Encoding.UTF8.GetBytes("not the account key") };
        var e = await Assert.ThrowsAsync<StorageRequestFailedException>(() => new AzureBlobContainer(http, wrong, "results").CreateIfNotExistsAsync());
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, e.Status);
        Assert.Equal("AuthorizationFailure", e.ErrorCode);
    }

    [AzuriteFact]
    public async Task AConnectionStringReachesTheSameAccount()
    {
        using var azurite = new Azurite();
        using var http = new HttpClient();
        var viaKey = new AzureBlobContainer(http, azurite.Account, "shared");
        var viaString = new AzureBlobContainer(http, StorageAccount.Parse(azurite.ConnectionString), "shared");
        await viaKey.CreateIfNotExistsAsync();
        await viaKey.PutAsync("a.txt", "hello"u8.ToArray());
        Assert.Equal("hello", Encoding.UTF8.GetString((await viaString.GetAsync("a.txt"))!));
    }

    [Fact]
    public void ConnectionStringsParseOrNameTheirProblem()
    {
        StorageAccount dev = StorageAccount.Parse("UseDevelopmentStorage=true");
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1", dev.BlobEndpoint.AbsoluteUri.TrimEnd('/'));
        StorageAccount cloud = StorageAccount.Parse("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + Convert.ToBase64String(new byte[32]) + ";EndpointSuffix=core.windows.net");
        Assert.Equal("https://acct.queue.core.windows.net/", cloud.QueueEndpoint.AbsoluteUri);
        Assert.Contains("AccountKey is missing", Assert.Throws<FormatException>(() => StorageAccount.Parse("AccountName=acct")).Message, StringComparison.Ordinal);
        Assert.Contains("not base64", Assert.Throws<FormatException>(() => StorageAccount.Parse("AccountName=a;AccountKey=***")).Message, StringComparison.Ordinal);
        FormatException junk = Assert.Throws<FormatException>(() => StorageAccount.Parse("AccountName=a;garbage"));
        Assert.Contains("'garbage'", junk.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("a--b")]
    [InlineData("-ab")]
    public void BadContainerNamesAreRefusedBeforeAnyRequest(string name)
    {
        using var http = new HttpClient();
        var e = Assert.Throws<ArgumentException>(() => new AzureBlobContainer(http, StorageAccount.Development(), name));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    private static async Task Contract(Func<string, IBlobContainer> open)
    {
        IBlobContainer missing = open("missing");
        await Assert.ThrowsAsync<BlobContainerNotFoundException>(() => missing.PutAsync("x", new byte[] { 1 }));
        Assert.Null(await missing.GetAsync("x"));
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
        var all = await store.ListAsync().Select(b => b.Name).ToListAsync();
        Assert.Equal(names.Order(StringComparer.Ordinal), all);
        var underA = await store.ListAsync("a/").ToListAsync();
        Assert.Equal(["a/1.json", "a/2.json", "a/sub/3.json"], underA.Select(b => b.Name));
        Assert.All(underA, b => Assert.Equal(Encoding.UTF8.GetByteCount("content of " + b.Name), b.Length));

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
