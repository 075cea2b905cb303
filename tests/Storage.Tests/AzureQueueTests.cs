using System.Text;
using Azure;
using Azure.Storage.Queues;
using PaDeLLM.Storage.Azure;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Storage.Tests;

/// <summary>The queue client against a real Azurite: at-least-once delivery, visibility and dequeue counts.</summary>
public sealed class AzureQueueTests
{
    private const string Unicode = "{\"id\":\"doc-1\",\"text\":\"Zürich 東京 <tag>&amp;\"}";

    [AzuriteFact]
    public async Task MessagesRoundTripAndComeBackUntilDeleted()
    {
        using var azurite = new Azurite();
        AzureQueue queue = azurite.Connection.Queue("ingest");
        await queue.CreateAsync();
        await queue.CreateAsync(); // idempotent
        await queue.SendAsync(Unicode);
        await queue.SendAsync("second");

        var first = await queue.ReceiveAsync(32, TimeSpan.FromSeconds(1));
        Assert.Equal([Unicode, "second"], first.Select(m => m.Text));
        Assert.All(first, m => Assert.Equal(1, m.DequeueCount));
        Assert.All(first, m => Assert.NotEmpty(m.Id));
        Assert.Empty(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(1))); // invisible while held

        await queue.DeleteAsync(first[0]);
        await Task.Delay(1500);
        var again = await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30));
        QueueMessageAssert(again, "second", 2);
        await queue.DeleteAsync(again[0]);
        Assert.Empty(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(1)));
    }

    [AzuriteFact]
    public async Task MessagesAreStoredBase64EncodedAsTheFunctionsQueueTriggerExpects()
    {
        using var azurite = new Azurite();
        AzureQueue queue = azurite.Connection.Queue("wire");
        await queue.CreateAsync();
        await queue.SendAsync(Unicode);

        // A client that does not decode sees what is stored on the service.
        QueueClient raw = RawClient(azurite, "wire");
        var peeked = Assert.Single((await raw.PeekMessagesAsync(32)).Value);
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(Unicode)), peeked.Body.ToString());

        // And text that a base64-sending producer (a Functions output binding) wrote reads back as the text.
        await raw.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("from functions")));
        var received = await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30));
        Assert.Equal([Unicode, "from functions"], received.Select(m => m.Text));
    }

    [AzuriteFact]
    public async Task AMessageThatIsNotBase64GoesToThePoisonQueueAndTheRestOfTheBatchArrives()
    {
        using var azurite = new Azurite();
        AzureQueue queue = azurite.Connection.Queue("mixed");
        await queue.CreateAsync();
        QueueClient raw = RawClient(azurite, "mixed");
        await raw.SendMessageAsync("{\"id\":\"plain json, not base64\"}");
        await queue.SendAsync("good");

        var received = await queue.ReceiveAsync(32, TimeSpan.FromSeconds(1));
        Assert.Equal(["good"], received.Select(m => m.Text));
        await queue.DeleteAsync(received[0]);
        await Task.Delay(1500);
        Assert.Empty(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(1))); // moved, not merely hidden

        var poisoned = await azurite.Connection.Queue("mixed-poison").ReceiveAsync(32, TimeSpan.FromSeconds(30));
        Assert.Equal(["{\"id\":\"plain json, not base64\"}"], poisoned.Select(m => m.Text));
    }

    [AzuriteFact]
    public async Task DeletingWithAStalePopReceiptFails()
    {
        using var azurite = new Azurite();
        AzureQueue queue = azurite.Connection.Queue("stale");
        await queue.CreateAsync();
        await queue.SendAsync("x");
        var held = (await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)))[0];
        await Task.Delay(1500);
        var retaken = (await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)))[0];
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.DeleteAsync(held));
        Assert.Equal(400, e.Status);
        Assert.Equal("PopReceiptMismatch", e.ErrorCode); // the service's documented answer to a stale receipt
        await queue.DeleteAsync(retaken);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    public async Task ReceiveTakesOneToThirtyTwoMessages(int max)
    {
        AzureQueue queue = StorageConnection.Parse("UseDevelopmentStorage=true").Queue("bounds");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.ReceiveAsync(max, TimeSpan.FromSeconds(1)));
    }

    [Theory]
    [InlineData("Bad_Name")]
    [InlineData("ab")]
    [InlineData("a--b")]
    public void BadQueueNamesAreRefused(string name)
    {
        StorageConnection account = StorageConnection.Parse("UseDevelopmentStorage=true");
        var e = Assert.Throws<ArgumentException>(() => account.Queue(name));
        Assert.Contains($"invalid queue name '{name}'", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new AzureQueue(account.Queues.GetQueueClient(name)));
    }

    private static QueueClient RawClient(Azurite azurite, string name) => new(
        azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });

    private static void QueueMessageAssert(IReadOnlyList<Queues.QueueMessage> messages, string text, int dequeueCount)
    {
        var m = Assert.Single(messages);
        Assert.Equal(text, m.Text);
        Assert.Equal(dequeueCount, m.DequeueCount);
    }
}
