using Xunit;

namespace PaDeLLM.Tests;

/// <summary>
/// Locates <c>../shared</c> beside the checkout (or <c>$PADELLM_SHARED</c>). Tests that need
/// it use <see cref="SharedDataFactAttribute"/>, which skips with the reason when it is absent.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(Find);

    public static string? SharedDir => Root.Value;

    public static bool Available => SharedDir is not null;

    public static string DataDir =>
        Path.Combine(SharedDir ?? throw new InvalidOperationException("shared data not found"), "data");

    public static string Fixtures =>
        Path.Combine(SharedDir ?? throw new InvalidOperationException("shared data not found"), "fixtures");

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "PaDeLLM.Functions.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("PaDeLLM.Functions.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public const string MissingReason = "../shared (the data and fixtures beside the checkout) was not found; set "
        + "PADELLM_SHARED to its path";

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("PADELLM_SHARED") is { Length: > 0 } env
            && Directory.Exists(Path.Combine(env, "data")))
        {
            return env;
        }

        string candidate = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
        return Directory.Exists(Path.Combine(candidate, "data")) ? candidate : null;
    }
}

/// <summary>A fact that needs ../shared; skipped, with the reason printed, where it is missing.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (!SharedData.Available)
        {
            Skip = SharedData.MissingReason;
        }
    }
}

/// <summary>A theory that needs ../shared; skipped, with the reason printed, where it is missing.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (!SharedData.Available)
        {
            Skip = SharedData.MissingReason;
        }
    }
}
