namespace PaDeLLM.Storage.Queues;

/// <summary>
/// At-least-once messages (the Azure Storage queue model): a received message is invisible for
/// a while and comes back unless deleted; its dequeue count tells how often it was handed out.
/// </summary>
public interface IMessageQueue
{
    string Name { get; }

    Task CreateAsync(CancellationToken cancel = default);

    Task SendAsync(string text, CancellationToken cancel = default);

    Task<IReadOnlyList<QueueMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout,
        CancellationToken cancel = default);

    Task DeleteAsync(QueueMessage message, CancellationToken cancel = default);
}

/// <summary>A received message; <see cref="PopReceipt"/> is what deleting it needs.</summary>
public sealed record QueueMessage(string Id, string PopReceipt, int DequeueCount, string Text);
