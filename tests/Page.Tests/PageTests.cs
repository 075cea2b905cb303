using System.Text.Json.Nodes;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Page.Tests;

/// <summary>
/// The try-it page of <c>padellm serve</c> in headless Chromium against a real host on the shipped
/// model: what it highlights is what <c>POST /v1/extract</c> answers for the same request, which each
/// test asks the API directly. The two screenshots in docs/ are written here.
/// </summary>
public sealed class PageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Conll = "EU rejects German call to boycott British lamb .";

    [BrowserFact]
    public async Task A_conll_sentence_comes_back_with_the_apis_entities_highlighted_in_place()
    {
        await using ShippedModelHost host = await ShippedModelHost.StartAsync();
        await using TryItPage page = await TryItPage.OpenAsync(browser.Browser, host.Url);
        Assert.Equal("ready", await page.WaitForStateAsync("ready", "problem"));
        Assert.Equal(host.Schema.Keys, await page.TogglesAsync());

        Assert.Equal("done", await page.ExtractAsync(Conll));
        JsonNode truth = await Truth(host, new JsonObject { ["text"] = Conll, ["labels"] = Keys(host) });
        Assert.NotEmpty(truth["entities"]!.AsArray()); // the shipped model finds some here: a real check
        await AssertShows(page, truth, host.Schema.Keys);
        await page.ScreenshotAsync(Path.Combine(SharedData.RepoRoot, "docs", "page-conll03.png"));
    }

    [BrowserFact]
    public async Task A_chinese_sentence_is_highlighted_at_the_apis_utf16_offsets()
    {
        // The shipped Chinese model (models/resume-zh, Chinese prompts) on a résumé sentence that starts
        // with 👍: one character but two UTF-16 units, so a page that counted characters (code points)
        // instead of the API's UTF-16 offsets would put every mark one place late.
        await using ShippedModelHost host = await ShippedModelHost.StartAsync(model: "resume-zh");
        await using TryItPage page = await TryItPage.OpenAsync(browser.Browser, host.Url);
        await page.WaitForStateAsync("ready");
        const string chinese = "👍张三，男，汉族，1963年出生，中国国籍，高中学历，"
            + "现任上海百润香精香料股份有限公司监事。";
        Assert.Equal("done", await page.ExtractAsync(chinese));
        JsonNode truth = await Truth(host, new JsonObject { ["text"] = chinese, ["labels"] = Keys(host) });
        Assert.True(truth["entities"]!.AsArray().Count >= 3, $"the Chinese model found too little: {truth}");
        await AssertShows(page, truth, host.Schema.Keys);
        await page.ScreenshotAsync(Path.Combine(SharedData.RepoRoot, "docs", "page-chinese.png"));

        // The caller's own labels with the Chinese prompt go to the model as a request schema.
        string[] own = ["名称", "职位"];
        Assert.Equal("done", await page.ExtractAsync(chinese, custom: "名称，职位", language: "zh"));
        truth = await Truth(host, new JsonObject
        {
            ["text"] = chinese,
            ["schema"] = new JsonObject { ["name"] = "custom", ["language"] = "zh", ["labels"] = Strings(own) },
        });
        await AssertShows(page, truth, own);
    }

    [BrowserFact]
    public async Task Nested_and_crossing_entities_keep_every_character_in_place()
    {
        // A made-up answer (the browser's request is fulfilled here, not by the model) with the shapes
        // a model rarely gives on cue: one span inside another, one crossing another's end, and spans
        // after a character outside the BMP. Offsets from string.IndexOf are UTF-16, as the API's are.
        await using ShippedModelHost host = await ShippedModelHost.StartAsync();
        await using TryItPage page = await TryItPage.OpenAsync(browser.Browser, host.Url);
        await page.WaitForStateAsync("ready");
        const string text = "𠮷野家在北京大学附近开了新店，𠮷野家很忙。";
        JsonNode answer = new JsonObject
        {
            ["id"] = null,
            ["text"] = text,
            ["entities"] = new JsonArray(
                Entity(text, "ORG", "𠮷野家", 0, 0.91),
                Entity(text, "ORG", "北京大学", 0, 0.8),
                Entity(text, "LOC", "北京", 0, 0.7),
                Entity(text, "MISC", "大学附近", 0, 0.25),
                Entity(text, "ORG", "𠮷野家", text.IndexOf('，', StringComparison.Ordinal), 0.91)),
            ["unresolved"] = new JsonArray(new JsonObject
            {
                ["label"] = "PER",
                ["text"] = "吉野",
                ["probability"] = 0.1,
                ["k"] = 1,
            }),
            ["failures"] = new JsonArray(),
            ["model"] = "made-up",
            ["tokens_generated"] = 12,
            ["sequences"] = 6,
            ["timings"] = null,
        };
        await page.Page.RouteAsync("**/v1/extract", route => route.FulfillAsync(new()
        {
            Status = 200,
            ContentType = "application/json",
            Body = answer.ToJsonString(),
        }));
        Assert.Equal("done", await page.ExtractAsync(text));
        await AssertShows(page, answer, host.Schema.Keys);

        // The crossing entity is cut at 北京大学's end: a piece inside it and one after, the same entity.
        Assert.Equal(2, await page.Page.Locator("#marked mark[data-label=MISC]").CountAsync());
        Assert.Equal(1, await page.Page.Locator("#marked mark[data-label=ORG] > mark[data-label=LOC]").CountAsync());
        Assert.Contains("吉野 (PER)", await page.TextOfAsync("#unresolved"), StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task A_refused_request_shows_the_apis_problem_and_the_next_one_works()
    {
        await using ShippedModelHost host = await ShippedModelHost.StartAsync();
        await using TryItPage page = await TryItPage.OpenAsync(browser.Browser, host.Url);
        await page.WaitForStateAsync("ready");

        Assert.Equal("problem", await page.ExtractAsync(""));
        (int status, JsonNode problem) =
            await host.ExtractAsync(new JsonObject { ["text"] = "", ["labels"] = Keys(host) });
        Assert.Equal(400, status);
        Assert.Contains((string)problem["detail"]!, await page.TextOfAsync("#problem"), StringComparison.Ordinal);
        Assert.False(await page.VisibleAsync("#result"));

        // Every toggle off: the page sends the empty list it was given, and shows the API's refusal.
        Assert.Equal("problem", await page.ExtractAsync(Conll, on: []));
        (status, problem) = await host.ExtractAsync(new JsonObject { ["text"] = Conll, ["labels"] = new JsonArray() });
        Assert.Equal(400, status);
        Assert.Contains((string)problem["detail"]!, await page.TextOfAsync("#problem"), StringComparison.Ordinal);

        Assert.Equal("done", await page.ExtractAsync(Conll, on: ["PER", "LOC"]));
        Assert.False(await page.VisibleAsync("#problem"));
        await AssertShows(page, await Truth(host, new JsonObject
        {
            ["text"] = Conll,
            ["labels"] = Strings(["PER", "LOC"]),
        }), ["PER", "LOC"]);
        Assert.Empty(page.ScriptErrors);
    }

    [BrowserFact]
    public async Task With_an_api_key_the_page_asks_for_it_once_and_keeps_it_only_in_memory()
    {
        const string key = "page-test-key-7f3a";
        await using ShippedModelHost host = await ShippedModelHost.StartAsync(apiKey: key);
        await using TryItPage page = await TryItPage.OpenAsync(browser.Browser, host.Url);

        // The page itself loads without the key; its first API call (the labels) is refused, so it asks.
        Assert.Equal("key", await page.WaitForStateAsync("key", "ready"));
        Assert.Contains("x-api-key", await page.TextOfAsync("#key-why"), StringComparison.Ordinal);
        Assert.Empty(await page.TogglesAsync());

        Assert.Equal("key", await page.GiveKeyAsync("not-the-key"));
        Assert.Contains("refused", await page.TextOfAsync("#key-why"), StringComparison.Ordinal);

        Assert.Equal("ready", await page.GiveKeyAsync(key));
        Assert.False(await page.VisibleAsync("#key-form"));
        Assert.Equal(host.Schema.Keys, await page.TogglesAsync());
        for (int i = 0; i < 2; i++)
        {
            // Asked once: both extractions go through with the key given above.
            Assert.Equal("done", await page.ExtractAsync(Conll));
            await AssertShows(page,
                await Truth(host, new JsonObject { ["text"] = Conll, ["labels"] = Keys(host) }), host.Schema.Keys);
        }

        Assert.Equal("0 0 ", await page.Page.EvaluateAsync<string>(
            "() => `${localStorage.length} ${sessionStorage.length} ${document.cookie}`"));
        Assert.Empty(await page.Page.Context.CookiesAsync());

        // Kept in the page's memory only: a reload has forgotten it and asks again.
        await page.Page.ReloadAsync();
        Assert.Equal("key", await page.WaitForStateAsync("key", "ready"));
        Assert.Empty(page.ScriptErrors);
    }

    /// <summary>The page shows <paramref name="doc"/>: its text in place, each entity marked, the counts.</summary>
    private static async Task AssertShows(TryItPage page, JsonNode doc, IEnumerable<string> labels)
    {
        string text = (string)doc["text"]!;
        Assert.Equal(text, await page.MarkedTextAsync());
        var expected = doc["entities"]!.AsArray()
            .Select(e => new ShownEntity((string)e!["label"]!, (string)e["text"]!, (int)e["start"]!, (int)e["end"]!,
                (double)e["probability"]!))
            .OrderBy(e => e.Start).ThenBy(e => e.End).ThenBy(e => e.Label, StringComparer.Ordinal)
            .ToList();
        var shown = (await page.HighlightedAsync())
            .OrderBy(e => e.Start).ThenBy(e => e.End).ThenBy(e => e.Label, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected.Select(Span), shown.Select(Span));
        foreach ((ShownEntity want, ShownEntity got) in expected.Zip(shown))
        {
            Assert.Equal(text[got.Start..got.End], got.Text); // the marks cover exactly text[start, end)
            Assert.Equal(want.Probability, got.Probability, 0.0005); // the title shows it to 3 places
        }

        IReadOnlyDictionary<string, int> counts = await page.CountsAsync();
        foreach (string label in labels)
        {
            Assert.Equal(expected.Count(e => e.Label == label), counts[label]);
        }

        Assert.StartsWith("Took ", await page.TextOfAsync("#timing"), StringComparison.Ordinal);
        Assert.False(await page.VisibleAsync("#problem"));
    }

    private static (string, string, int, int) Span(ShownEntity e) => (e.Label, e.Text, e.Start, e.End);

    private static async Task<JsonNode> Truth(ShippedModelHost host, JsonObject request)
    {
        (int status, JsonNode body) = await host.ExtractAsync(request);
        Assert.True(status == 200, $"/v1/extract answered {status}: {body.ToJsonString()}");
        return body;
    }

    private static JsonArray Keys(ShippedModelHost host) => Strings(host.Schema.Keys);

    private static JsonArray Strings(IEnumerable<string> items) => new(items.Select(i => (JsonNode)i).ToArray());

    private static JsonObject Entity(string text, string label, string mention, int from, double probability)
    {
        int start = text.IndexOf(mention, from, StringComparison.Ordinal);
        return new JsonObject
        {
            ["label"] = label,
            ["text"] = mention,
            ["start"] = start,
            ["end"] = start + mention.Length,
            ["probability"] = probability,
            ["k"] = 1,
        };
    }
}
