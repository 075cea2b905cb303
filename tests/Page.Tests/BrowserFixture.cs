using Microsoft.Playwright;
using Xunit;

namespace PaDeLLM.Page.Tests;

/// <summary>
/// One headless Chromium for the browser tests of a class (launching it costs seconds on two cores);
/// each test opens its own context, so no page state, the API key included, is shared between tests.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(Chromium.MissingReason);

    public async Task InitializeAsync()
    {
        // Without Chromium every test here is skipped: launch nothing.
        if (Chromium.ExecutablePath is not string path)
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,

            // Root in a container has no user namespace for Chromium's sandbox.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
