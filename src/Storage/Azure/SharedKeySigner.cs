using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace PaDeLLM.Storage.Azure;

/// <summary>
/// The Blob and Queue services' Shared Key authorization: an HMAC-SHA256, with the account
/// key, of the verb, twelve standard headers, the canonicalized x-ms-* headers and the
/// canonicalized resource (<c>/{account}{path}</c> and the query parameters, sorted).
/// </summary>
public static class SharedKeySigner
{
    public static void Sign(HttpRequestMessage request, string account, byte[] key)
    {
        string toSign = StringToSign(request, account);
        string signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        request.Headers.Authorization = new AuthenticationHeaderValue("SharedKey", $"{account}:{signature}");
    }

    public static string StringToSign(HttpRequestMessage request, string account)
    {
        HttpContentHeaders? content = request.Content?.Headers;
        long? length = content?.ContentLength;
        string Header(string name) => request.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : "";
        var sb = new StringBuilder();
        sb.Append(request.Method.Method).Append('\n');
        sb.Append(content is null ? "" : string.Join(",", content.ContentEncoding)).Append('\n');
        sb.Append(content is null ? "" : string.Join(",", content.ContentLanguage)).Append('\n');
        sb.Append(length is > 0 ? length.Value.ToString(CultureInfo.InvariantCulture) : "").Append('\n');
        sb.Append(content?.ContentMD5 is byte[] md5 ? Convert.ToBase64String(md5) : "").Append('\n');
        sb.Append(content?.ContentType?.ToString() ?? "").Append('\n');
        sb.Append('\n'); // Date: we send x-ms-date instead
        sb.Append(Header("If-Modified-Since")).Append('\n');
        sb.Append(Header("If-Match")).Append('\n');
        sb.Append(Header("If-None-Match")).Append('\n');
        sb.Append(Header("If-Unmodified-Since")).Append('\n');
        sb.Append(Header("Range")).Append('\n');
        foreach (var h in request.Headers
            .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(",", h.Value).Trim()))
            .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            sb.Append(h.Name).Append(':').Append(h.Value).Append('\n');
        }

        Uri uri = request.RequestUri ?? throw new ArgumentException("request has no URI", nameof(request));
        sb.Append('/').Append(account).Append(uri.AbsolutePath);
        foreach (var q in ParseQuery(uri.Query).GroupBy(p => p.Name.ToLowerInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append('\n').Append(q.Key).Append(':').Append(string.Join(",", q.Select(p => p.Value).Order(StringComparer.Ordinal)));
        }

        return sb.ToString();
    }

    private static IEnumerable<(string Name, string Value)> ParseQuery(string query)
    {
        foreach (string pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            yield return eq < 0
                ? (Uri.UnescapeDataString(pair), "")
                : (Uri.UnescapeDataString(pair[..eq]), Uri.UnescapeDataString(pair[(eq + 1)..]));
        }
    }
}
