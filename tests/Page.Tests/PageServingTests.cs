using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace PaDeLLM.Page.Tests;

/// <summary>How the host serves the page, over plain HTTP (no browser needed).</summary>
public sealed class PageServingTests
{
    [Fact]
    public async Task The_page_comes_from_the_binary_without_the_key_while_its_api_calls_need_it()
    {
        await using ShippedModelHost host = await ShippedModelHost.StartAsync(apiKey: "serving-test-key");
        using var anonymous = new HttpClient { BaseAddress = new Uri(host.Url) };

        foreach ((string path, string type) in new[]
        {
            ("/", "text/html"), ("/page.css", "text/css"), ("/page.js", "text/javascript"),
        })
        {
            using HttpResponseMessage r = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(type, r.Content.Headers.ContentType?.MediaType);
            Assert.Contains("default-src 'none'", r.Headers.GetValues("Content-Security-Policy").Single(),
                StringComparison.Ordinal);
            Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single());

            // Nothing from outside the host: no CDN, font or script address in any of its files.
            string body = await r.Content.ReadAsStringAsync();
            Assert.DoesNotContain("http://", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("https://", body, StringComparison.OrdinalIgnoreCase);
        }

        // Only reading the page is open: its calls, and any other method on its paths, need the key.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/labels")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/", new StringContent(""))).StatusCode);

        JsonNode labels = JsonNode.Parse(await host.Client.GetStringAsync("/v1/labels"))!;
        Assert.Equal("conll03-en", (string)labels["model"]!);
        Assert.Equal("en", (string)labels["language"]!);
        Assert.Equal(host.Schema.Keys, labels["labels"]!.AsArray().Select(l => (string)l!["key"]!));
        Assert.Equal(host.Schema.Labels.Select(l => l.PromptName),
            labels["labels"]!.AsArray().Select(l => (string)l!["prompt"]!));
    }
}
