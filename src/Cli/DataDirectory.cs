using System.CommandLine;

namespace PaDeLLM.Cli;

/// <summary>The <c>--data</c> option: the shared data directory, read in place, never copied.</summary>
internal static class DataDirectory
{
    public static Option<string> Option() => new("--data")
    {
        Description = "data directory (default: $PADELLM_DATA, else ../shared/data)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PADELLM_DATA") is { Length: > 0 } env ? env
            : Ner.Data.DatasetCatalog.DefaultDataDir,
    };

    public static string Resolve(string dir)
    {
        if (!Directory.Exists(dir))
        {
            throw new UsageException($"data directory '{dir}' not found (run from the checkout beside ../shared, "
                + $"or pass --data DIR)");
        }

        return dir;
    }
}
