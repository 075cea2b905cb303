using Xunit;

namespace PaDeLLM.Page.Tests;

/// <summary>
/// Debian's Chromium, which the browser tests drive through Playwright (Playwright's own browser
/// download cannot reach its host here). <c>$PADELLM_CHROMIUM</c> names another build.
/// </summary>
public static class Chromium
{
    public const string DefaultPath = "/usr/bin/chromium";

    private static string Wanted =>
        Environment.GetEnvironmentVariable("PADELLM_CHROMIUM") is { Length: > 0 } env ? env : DefaultPath;

    public static string? ExecutablePath => File.Exists(Wanted) ? Wanted : null;

    public static string MissingReason => $"Chromium not found at {Wanted}: install Debian's chromium "
        + "(apt-get install chromium; .ci/run does) or set PADELLM_CHROMIUM to a build";
}

/// <summary>A fact that drives a real browser; skipped, with the reason printed, where Chromium is missing.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Chromium.ExecutablePath is null)
        {
            Skip = Chromium.MissingReason;
        }
    }
}
