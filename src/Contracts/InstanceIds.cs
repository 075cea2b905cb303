namespace PaDeLLM.Contracts;

/// <summary>
/// Orchestration instance ids from document ids and blob names: <see cref="SafeName"/>'s escape
/// with '!' for its '%'. Durable's HTTP API unescapes an instance id in a status URL twice, so an
/// id holding a '%' is never found there (a 404 for <c>api-a%20b</c>); SafeName escapes every '!'
/// itself, so the ids stay as distinct as the names they come from.
/// </summary>
public static class InstanceIds
{
    public static string For(string prefix, string name) =>
        prefix + SafeName.Escape(name).Replace('%', '!');

    /// <summary>A corpus run: the blob's name and a hash of its content (an edited corpus is a new run).</summary>
    public static string Corpus(string blobName, ReadOnlySpan<byte> content) =>
        $"{For("corpus-", blobName)}-"
        + $"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content))[..16]}";

    /// <summary>
    /// A document's child of a corpus run: ':' never occurs
    /// in an escaped name, so parent and document stay apart.
    /// </summary>
    public static string Child(string parentInstanceId, string documentId) => For(parentInstanceId + ":", documentId);
}
