using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace PaDeLLM.Page.Tests;

/// <summary>One highlighted entity as the page shows it: its marks' data and text put back together.</summary>
public sealed record ShownEntity(string Label, string Text, int Start, int End, double Probability);

/// <summary>
/// The try-it page in a browser tab, driven as a person would (typing, clicking) and read back from
/// its DOM: the marks over the text, the counts table, the problem and the key prompt.
/// </summary>
public sealed class TryItPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _scriptErrors = [];

    private TryItPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.PageError += (_, error) => _scriptErrors.Add(error);
    }

    public IPage Page { get; }

    /// <summary>Uncaught exceptions in the page's script so far (a test expects none).</summary>
    public IReadOnlyList<string> ScriptErrors => _scriptErrors;

    public static async Task<TryItPage> OpenAsync(IBrowser browser, string url)
    {
        IBrowserContext context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1000, Height = 760 },
            Locale = "en-US",
        });
        IPage page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000); // the machine's two cores may be busy with a training run
        var tab = new TryItPage(context, page);
        await page.GotoAsync(url);
        return tab;
    }

    /// <summary>Waits until the page's <c>body[data-state]</c> is one of <paramref name="states"/>.</summary>
    public async Task<string> WaitForStateAsync(params string[] states)
    {
        await Page.WaitForFunctionAsync("states => states.includes(document.body.dataset.state)", states,
            new PageWaitForFunctionOptions { Timeout = 60_000 });
        return await StateAsync();
    }

    public Task<string> StateAsync() => Page.EvaluateAsync<string>("() => document.body.dataset.state");

    /// <summary>The label toggles offered, in order.</summary>
    public async Task<IReadOnlyList<string>> TogglesAsync() =>
        await Page.Locator("#toggles .toggle").EvaluateAllAsync<string[]>("ts => ts.map(t => t.dataset.label)");

    /// <summary>
    /// Types the text (and own labels, when given), leaves on only the toggles named in
    /// <paramref name="on"/> (all when null), presses the button and waits for the answer.
    /// </summary>
    public async Task<string> ExtractAsync(
        string text, string custom = "", string? language = null, IReadOnlyCollection<string>? on = null)
    {
        await Page.Locator("#text").FillAsync(text);
        await Page.Locator("#custom").FillAsync(custom);
        if (language is not null)
        {
            await Page.Locator("#language").SelectOptionAsync(language);
        }

        foreach (string label in await TogglesAsync())
        {
            await Page.Locator($"#toggles .toggle[data-label=\"{label}\"] input")
                .SetCheckedAsync(on is null || on.Contains(label));
        }

        await Page.Locator("#go").ClickAsync();
        return await WaitForStateAsync("done", "problem", "key");
    }

    public async Task<string> GiveKeyAsync(string key)
    {
        await Page.Locator("#key-input").FillAsync(key);
        await Page.Locator("#key-form button").ClickAsync();
        return await WaitForStateAsync("ready", "done", "problem", "key");
    }

    /// <summary>
    /// The highlighted entities read from the marks (<c>mark[data-entity]</c>): an entity cut into
    /// pieces by another's end is put back together from its marks, in the order they stand.
    /// </summary>
    public async Task<IReadOnlyList<ShownEntity>> HighlightedAsync()
    {
        string json = await Page.EvaluateAsync<string>("""
            () => JSON.stringify([...document.querySelectorAll('#marked mark')].map(m => ({
              entity: Number(m.dataset.entity), label: m.dataset.label, start: Number(m.dataset.start),
              end: Number(m.dataset.end), title: m.title, text: m.textContent })))
            """);
        return JsonNode.Parse(json)!.AsArray()
            .GroupBy(m => (int)m!["entity"]!)
            .Select(g =>
            {
                JsonNode first = g.First()!;
                string title = (string)first["title"]!;
                return new ShownEntity((string)first["label"]!, string.Concat(g.Select(m => (string)m!["text"]!)),
                    (int)first["start"]!, (int)first["end"]!, ProbabilityIn(title));
            })
            .ToList();
    }

    // The title reads "LABEL: probability 0.123 (mention k)".
    private static double ProbabilityIn(string title)
    {
        const string marker = "probability ";
        int at = title.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return double.Parse(title[at..title.IndexOf(' ', at)], CultureInfo.InvariantCulture);
    }

    /// <summary>The result's text as shown, marks and all (not the label names drawn after marks).</summary>
    public async Task<string> MarkedTextAsync() => await Page.Locator("#marked").TextContentAsync() ?? "";

    /// <summary>The counts table: label → entities shown.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountsAsync()
    {
        string[] rows = await Page.Locator("#counts tbody tr")
            .EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.label + '=' + r.cells[1].textContent)");
        return rows.Select(r => r.Split('='))
            .ToDictionary(r => r[0], r => int.Parse(r[1], CultureInfo.InvariantCulture));
    }

    public Task<string> TextOfAsync(string selector) => Page.Locator(selector).InnerTextAsync();

    public Task<bool> VisibleAsync(string selector) => Page.Locator(selector).IsVisibleAsync();

    /// <summary>
    /// A screenshot named like <paramref name="path"/>: into docs/ for the README when
    /// PADELLM_UPDATE_SCREENSHOTS=1, else beside the test binaries (a test run leaves the checkout clean).
    /// </summary>
    public async Task ScreenshotAsync(string path)
    {
        if (Environment.GetEnvironmentVariable("PADELLM_UPDATE_SCREENSHOTS") != "1")
        {
            path = Path.Combine(AppContext.BaseDirectory, "screenshots", Path.GetFileName(path));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
