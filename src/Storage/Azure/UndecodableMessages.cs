using Azure.Storage.Queues;
using Azure.Storage.Queues.Specialized;

namespace PaDeLLM.Storage.Azure;

/// <summary>
/// What happens to a received message that is not base64 (a producer that did not encode it).
/// Without a handler the SDK fails the whole receive, hiding the good messages of the batch
/// too, and the bad one returns to do it again. Instead it goes, as received, to the queue's
/// <c>-poison</c> queue (the Functions host's convention, which the pipeline shares) and is
/// deleted; the rest of the batch is delivered.
/// </summary>
internal static class UndecodableMessages
{
    public const string PoisonSuffix = "-poison";

    public static async Task MoveToPoisonQueue(QueueMessageDecodingFailedEventArgs args)
    {
        // A peeked message cannot be deleted (no pop receipt); a poison queue has no poison queue
        // of its own, and a long name none that is valid: such messages are only skipped.
        string poisonName = args.Queue.Name + PoisonSuffix;
        if (args.ReceivedMessage is not { } message
            || args.Queue.Name.EndsWith(PoisonSuffix, StringComparison.Ordinal) || poisonName.Length > 63)
        {
            return;
        }

        // The parent keeps these client options, so the copy is base64-encoded and decodable.
        QueueClient poison = args.Queue.GetParentQueueServiceClient().GetQueueClient(poisonName);
        if (args.IsRunningSynchronously)
        {
            poison.CreateIfNotExists(cancellationToken: args.CancellationToken);
            poison.SendMessage(message.Body, cancellationToken: args.CancellationToken);
            args.Queue.DeleteMessage(message.MessageId, message.PopReceipt, args.CancellationToken);
        }
        else
        {
            await poison.CreateIfNotExistsAsync(cancellationToken: args.CancellationToken);
            await poison.SendMessageAsync(message.Body, cancellationToken: args.CancellationToken);
            await args.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, args.CancellationToken);
        }
    }
}
