using PaDeLLM.Storage.Azure;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Storage.Tests;

/// <summary>The queue client against a real Azurite: at-least-once delivery, visibility and dequeue counts.</summary>
public sealed class AzureQueueTests
{
    [AzuriteFact]
    public async Task MessagesRoundTripAndComeBackUntilDeleted()
    {
        using var azurite = new Azurite();
        using var http = new HttpClient();
        var queue = new AzureQueue(http, azurite.Account, "ingest");
        await queue.CreateAsync();
        await queue.CreateAsync(); // idempotent
        await queue.SendAsync("{\"id\":\"doc-1\",\"text\":\"Zürich 東京 <tag>&amp;\"}");
        await queue.SendAsync("second");

        var first = await queue.ReceiveAsync(32, TimeSpan.FromSeconds(1));
        Assert.Equal(["{\"id\":\"doc-1\",\"text\":\"Zürich 東京 <tag>&amp;\"}", "second"], first.Select(m => m.Text));
        Assert.All(first, m => Assert.Equal(1, m.DequeueCount));
        Assert.Empty(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(1))); // invisible while held

        await queue.DeleteAsync(first[0]);
        await Task.Delay(1500);
        var again = await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30));
        QueueMessageAssert(again, "second", 2);
        await queue.DeleteAsync(again[0]);
        Assert.Empty(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(1)));
    }

    [AzuriteFact]
    public async Task DeletingWithAStalePopReceiptFails()
    {
        using var azurite = new Azurite();
        using var http = new HttpClient();
        var queue = new AzureQueue(http, azurite.Account, "stale");
        await queue.CreateAsync();
        await queue.SendAsync("x");
        var held = (await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)))[0];
        await Task.Delay(1500);
        var retaken = (await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)))[0];
        var e = await Assert.ThrowsAsync<StorageRequestFailedException>(() => queue.DeleteAsync(held));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, e.Status);
        Assert.Equal("PopReceiptMismatch", e.ErrorCode); // the service's documented answer to a stale receipt
        await queue.DeleteAsync(retaken);
    }

    [Fact]
    public void BadQueueNamesAreRefused()
    {
        using var http = new HttpClient();
        Assert.Throws<ArgumentException>(() => new AzureQueue(http, StorageAccount.Development(), "Bad_Name"));
    }

    private static void QueueMessageAssert(IReadOnlyList<Queues.QueueMessage> messages, string text, int dequeueCount)
    {
        var m = Assert.Single(messages);
        Assert.Equal(text, m.Text);
        Assert.Equal(dequeueCount, m.DequeueCount);
    }
}
