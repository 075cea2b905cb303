using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using PaDeLLM.Storage.Queues;

namespace PaDeLLM.Storage.Azure;

/// <summary>
/// One Azure Storage queue over its REST API. Message text is sent base64-encoded (UTF-8), as
/// the Functions queue trigger expects; received text that is not base64 is taken as it is.
/// </summary>
public sealed class AzureQueue : IMessageQueue
{
    private readonly StorageRestClient _rest;

    public AzureQueue(HttpClient http, StorageAccount account, string name)
    {
        Name = QueueName(name);
        _rest = new StorageRestClient(http, account, account.QueueEndpoint);
    }

    public string Name { get; }

    public async Task CreateAsync(CancellationToken cancel = default)
    {
        using var _ = await _rest.SendAsync(HttpMethod.Put, Name, null, null, cancel, HttpStatusCode.Created, HttpStatusCode.NoContent);
    }

    public async Task SendAsync(string text, CancellationToken cancel = default)
    {
        var xml = new XElement("QueueMessage", new XElement("MessageText", Convert.ToBase64String(Encoding.UTF8.GetBytes(text))));
        var body = new StringContent(xml.ToString(SaveOptions.DisableFormatting), Encoding.UTF8);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        using var _ = await _rest.SendAsync(HttpMethod.Post, $"{Name}/messages", body, null, cancel, HttpStatusCode.Created);
    }

    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, 32);
        int seconds = Math.Max(1, (int)Math.Ceiling(visibilityTimeout.TotalSeconds));
        using HttpResponseMessage r = await _rest.SendAsync(HttpMethod.Get, $"{Name}/messages?numofmessages={maxMessages}&visibilitytimeout={seconds}", null, null, cancel, HttpStatusCode.OK);
        XElement list = XElement.Parse(await r.Content.ReadAsStringAsync(cancel));
        return list.Elements("QueueMessage").Select(m => new QueueMessage(
            m.Element("MessageId")!.Value,
            m.Element("PopReceipt")!.Value,
            int.Parse(m.Element("DequeueCount")?.Value ?? "1", CultureInfo.InvariantCulture),
            DecodeText(m.Element("MessageText")?.Value ?? ""))).ToList();
    }

    public async Task DeleteAsync(QueueMessage message, CancellationToken cancel = default)
    {
        using var _ = await _rest.SendAsync(HttpMethod.Delete, $"{Name}/messages/{Uri.EscapeDataString(message.Id)}?popreceipt={Uri.EscapeDataString(message.PopReceipt)}", null, null, cancel, HttpStatusCode.NoContent);
    }

    /// <summary>3–63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    public static string QueueName(string name) => Blobs.BlobNames.Container(name);

    private static string DecodeText(string text)
    {
        Span<byte> buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out int n) ? Encoding.UTF8.GetString(buffer[..n]) : text;
    }
}
