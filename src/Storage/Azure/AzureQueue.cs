using Azure.Storage.Queues;
using PaDeLLM.Storage.Blobs;
using PaDeLLM.Storage.Queues;

namespace PaDeLLM.Storage.Azure;

/// <summary>
/// One Azure Storage queue through the Azure SDK. Get <c>StorageConnection.Queue(name)</c> for
/// one: its client base64-encodes message text (UTF-8), as the Functions queue trigger expects.
/// </summary>
public sealed class AzureQueue : IMessageQueue
{
    public AzureQueue(QueueClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        Name = QueueName(client.Name);
        Client = client;
    }

    public string Name { get; }

    public QueueClient Client { get; }

    public async Task CreateAsync(CancellationToken cancel = default) =>
        await Client.CreateIfNotExistsAsync(cancellationToken: cancel);

    public async Task SendAsync(string text, CancellationToken cancel = default) =>
        await Client.SendMessageAsync(text, cancel);

    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(
        int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, 32);

        // The service counts whole seconds, at least one.
        var visibility = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(visibilityTimeout.TotalSeconds)));
        var received = await Client.ReceiveMessagesAsync(maxMessages, visibility, cancel);
        return received.Value
            .Select(m => new QueueMessage(m.MessageId, m.PopReceipt, checked((int)m.DequeueCount), m.Body.ToString()))
            .ToList();
    }

    public async Task DeleteAsync(QueueMessage message, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await Client.DeleteMessageAsync(message.Id, message.PopReceipt, cancel);
    }

    /// <summary>
    /// 3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.
    /// </summary>
    public static string QueueName(string name)
    {
        try
        {
            return BlobNames.Container(name); // queues follow the container naming rule
        }
        catch (ArgumentException)
        {
            throw new ArgumentException(
                $"invalid queue name '{name}': 3-63 lowercase letters, digits and single hyphens", nameof(name));
        }
    }
}
