using Azure.Identity;
using PaDeLLM.Storage.Azure;
using Xunit;

namespace PaDeLLM.Storage.Tests;

/// <summary>
/// How a spec or the environment becomes a storage connection. Nothing here contacts a
/// service: building clients and credentials is lazy, so these run without Azurite or Azure.
/// </summary>
public sealed class StorageConnectionTests
{
    // A made-up, well-formed account key; no message may ever contain it.
    private static readonly string Key =
        Convert.ToBase64String(Enumerable.Range(1, 64).Select(i => (byte)i).ToArray());

    private static readonly string CloudString =
        $"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={Key};EndpointSuffix=core.windows.net";

    [Fact]
    public void UseDevelopmentStorageIsAzuriteOnItsDefaultPorts()
    {
        StorageConnection dev = StorageConnection.Parse("UseDevelopmentStorage=true");
        Assert.Equal("devstoreaccount1", dev.AccountName);
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1", dev.Blobs.Uri.AbsoluteUri.TrimEnd('/'));
        Assert.Equal("http://127.0.0.1:10001/devstoreaccount1", dev.Queues.Uri.AbsoluteUri.TrimEnd('/'));
        Assert.Equal("UseDevelopmentStorage=true", dev.ConnectionString);
        Assert.Null(dev.Credential);
        Assert.True(dev.Blobs.CanGenerateAccountSasUri); // signed with the emulator's shared key
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1/corpus", dev.Container("corpus").Location);
        Assert.Equal("ingest", dev.Queue("ingest").Name);
        Assert.Contains("Azurite", dev.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExplicitAzuriteConnectionStringKeepsItsPathStyleEndpoints()
    {
        StorageConnection azurite = StorageConnection.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};"
            + "BlobEndpoint=http://127.0.0.1:41000/devstoreaccount1;"
            + "QueueEndpoint=http://127.0.0.1:41001/devstoreaccount1;");
        Assert.Equal("devstoreaccount1", azurite.AccountName);
        Assert.Equal("http://127.0.0.1:41000/devstoreaccount1/results", azurite.Container("results").Location);
        Assert.Equal("http://127.0.0.1:41001/devstoreaccount1/ingest", azurite.Queue("ingest").Client.Uri.AbsoluteUri);
    }

    [Fact]
    public void ACloudConnectionStringUsesTheSharedKeyAndNeverShowsIt()
    {
        StorageConnection cloud = StorageConnection.Parse(CloudString);
        Assert.Equal("acct", cloud.AccountName);
        Assert.Equal("https://acct.blob.core.windows.net/", cloud.Blobs.Uri.AbsoluteUri);
        Assert.Equal("https://acct.queue.core.windows.net/", cloud.Queues.Uri.AbsoluteUri);
        Assert.Equal(CloudString, cloud.ConnectionString);
        Assert.Null(cloud.Credential);
        Assert.True(cloud.Blobs.CanGenerateAccountSasUri);
        Assert.Contains("shared key", cloud.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, cloud.Description, StringComparison.Ordinal);
        Assert.Equal(cloud.Description, cloud.ToString());
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net")]
    [InlineData("https://acct.blob.core.windows.net/")]
    [InlineData("https://acct.queue.core.windows.net")]
    [InlineData("acct")]
    public void AnAccountNameOrUrlUsesAManagedIdentityWhenAClientIdIsGiven(string spec)
    {
        StorageConnection c = StorageConnection.Parse(spec, clientId: "11111111-2222-3333-4444-555555555555");
        Assert.IsType<ManagedIdentityCredential>(c.Credential);
        Assert.Null(c.ConnectionString);
        Assert.Equal("acct", c.AccountName);
        Assert.Equal("https://acct.blob.core.windows.net/", c.Blobs.Uri.AbsoluteUri);
        Assert.Equal("https://acct.queue.core.windows.net/", c.Queues.Uri.AbsoluteUri);
        Assert.False(c.Blobs.CanGenerateAccountSasUri); // no key: requests carry bearer tokens
        Assert.Contains(
            "ManagedIdentityCredential (client id 11111111-2222-3333-4444-555555555555)",
            c.Description,
            StringComparison.Ordinal);
    }

    [Fact]
    public void AnAccountUrlWithoutAClientIdUsesDefaultAzureCredential()
    {
        StorageConnection c = StorageConnection.FromEnvironment(
            Env(("PADELLM_STORAGE", "https://acct.blob.core.chinacloudapi.cn")))!;
        Assert.IsType<DefaultAzureCredential>(c.Credential);
        Assert.Equal("https://acct.queue.core.chinacloudapi.cn/", c.Queues.Uri.AbsoluteUri); // sovereign suffix kept
        Assert.Contains("DefaultAzureCredential", c.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AccountName=acct;AccountKey={key};BlobEndpoint=not a url", "BlobEndpoint is not an absolute")]
    [InlineData("AccountKey={key}", "AccountName is missing")]
    [InlineData("AccountName=acct;AccountKey={key};{fragment}", "segment 3 is not KEY=VALUE")]
    [InlineData("AccountName=acct;AccountKey=not*base64!{fragment}", "AccountKey is not base64")]
    [InlineData("AccountName=a;SharedAccessSignature=sv=2020&sig={fragment};QueueEndpoint=ftp://x", "QueueEndpoint")]
    [InlineData("AccountName=acct", "neither AccountKey nor SharedAccessSignature")]
    [InlineData("DefaultEndpointsProtocol=ftp;AccountName=acct;AccountKey={key}", "DefaultEndpointsProtocol")]
    [InlineData("UseDevelopmentStorage=false", "UseDevelopmentStorage must be 'true'")]
    [InlineData("{key}", "neither AccountKey")]
    [InlineData("{fragment}", "expected a connection string")]
    [InlineData("Not An Account", "expected a connection string")]
    [InlineData("https://acct.blob.core.windows.net/?sv=2020&sig={fragment}", "no path or query")]
    [InlineData("http://acct.blob.core.windows.net", "not an absolute https URL")]
    [InlineData("https://storage.example.com", "expected https://ACCOUNT.blob.core.windows.net")]
    [InlineData("", "expected a connection string")]
    public void AMalformedSpecNamesTheProblemButNoSecret(string template, string problem)
    {
        string fragment = Key[..20]; // no '=': on its own it is not KEY=VALUE
        string spec = template.Replace("{key}", Key, StringComparison.Ordinal)
            .Replace("{fragment}", fragment, StringComparison.Ordinal);
        var e = Assert.Throws<ArgumentException>(() => StorageConnection.Parse(spec));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fragment, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not*base64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithNothingSetThereIsNoConnection()
    {
        Assert.Null(StorageConnection.FromEnvironment(Env()));
        Assert.Null(StorageConnection.FromEnvironment(Env(("PADELLM_STORAGE", "  "), ("AzureWebJobsStorage", ""))));
    }

    [Fact]
    public void PadellmStorageComesFirstThenAzureWebJobsStorageThenTheIdentitySettings()
    {
        (string, string)[] all =
        [
            ("PADELLM_STORAGE", CloudString.Replace("acct", "first", StringComparison.Ordinal)),
            ("AzureWebJobsStorage", CloudString.Replace("acct", "second", StringComparison.Ordinal)),
            ("AzureWebJobsStorage__accountName", "third"),
        ];
        Assert.Equal("first", StorageConnection.FromEnvironment(Env(all))!.AccountName);
        Assert.Equal("second", StorageConnection.FromEnvironment(Env(all[1..]))!.AccountName);
        Assert.Equal("third", StorageConnection.FromEnvironment(Env(all[2..]))!.AccountName);
    }

    [Fact]
    public void TheFunctionsIdentitySettingsGiveAManagedIdentityConnection()
    {
        StorageConnection c = StorageConnection.FromEnvironment(Env(
            ("AzureWebJobsStorage__accountName", "acct"),
            ("AzureWebJobsStorage__credential", "managedidentity"),
            ("AzureWebJobsStorage__clientId", "cid-1"),
            ("AZURE_CLIENT_ID", "cid-ignored")))!;
        Assert.IsType<ManagedIdentityCredential>(c.Credential);
        Assert.Null(c.ConnectionString);
        Assert.Equal("https://acct.blob.core.windows.net/", c.Blobs.Uri.AbsoluteUri);
        Assert.Equal("https://acct.queue.core.windows.net/", c.Queues.Uri.AbsoluteUri);
        Assert.Contains("client id cid-1", c.Description, StringComparison.Ordinal);

        // System-assigned identity: managed identity asked for, no client id anywhere.
        StorageConnection system = StorageConnection.FromEnvironment(Env(
            ("AzureWebJobsStorage__accountName", "acct"), ("AzureWebJobsStorage__credential", "managedidentity")))!;
        Assert.IsType<ManagedIdentityCredential>(system.Credential);
        Assert.DoesNotContain("client id", system.Description, StringComparison.Ordinal);

        // Neither: the default chain, which also finds a developer's Azure CLI login.
        StorageConnection chain =
            StorageConnection.FromEnvironment(Env(("AzureWebJobsStorage__accountName", "acct")))!;
        Assert.IsType<DefaultAzureCredential>(chain.Credential);
    }

    [Fact]
    public void ServiceUrisWinAndAMissingOneIsDerivedFromTheOther()
    {
        StorageConnection explicitUris = StorageConnection.FromEnvironment(Env(
            ("AzureWebJobsStorage__accountName", "acct"),
            ("AzureWebJobsStorage__blobServiceUri", "https://other.blob.core.windows.net"),
            ("AzureWebJobsStorage__queueServiceUri", "https://other.queue.core.windows.net")))!;
        Assert.Equal("https://other.blob.core.windows.net/", explicitUris.Blobs.Uri.AbsoluteUri);
        Assert.Equal("https://other.queue.core.windows.net/", explicitUris.Queues.Uri.AbsoluteUri);

        StorageConnection blobOnly = StorageConnection.FromEnvironment(Env(
            ("AzureWebJobsStorage__blobServiceUri", "https://acct.blob.core.windows.net")))!;
        Assert.Equal("acct", blobOnly.AccountName);
        Assert.Equal("https://acct.queue.core.windows.net/", blobOnly.Queues.Uri.AbsoluteUri);

        var e = Assert.Throws<ArgumentException>(() => StorageConnection.FromEnvironment(Env(
            ("AzureWebJobsStorage__blobServiceUri", "https://storage.example.com"))));
        Assert.Contains("AzureWebJobsStorage__queueServiceUri", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyTheManagedIdentityCredentialSettingIsUnderstood()
    {
        var e = Assert.Throws<ArgumentException>(() => StorageConnection.FromEnvironment(Env(
            ("AzureWebJobsStorage__accountName", "acct"), ("AzureWebJobsStorage__credential", "clientsecret"))));
        Assert.Contains("AzureWebJobsStorage__credential", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AzureClientIdSelectsAUserAssignedIdentityForAnAccountSpec()
    {
        StorageConnection c =
            StorageConnection.FromEnvironment(Env(("PADELLM_STORAGE", "acct"), ("AZURE_CLIENT_ID", "cid-2")))!;
        Assert.IsType<ManagedIdentityCredential>(c.Credential);
        Assert.Contains("client id cid-2", c.Description, StringComparison.Ordinal);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.GetValueOrDefault(name);
    }
}
