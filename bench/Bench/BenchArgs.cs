namespace PaDeLLM.Bench;

/// <summary>The benchmarks' <c>--name value</c> options.</summary>
internal static class BenchArgs
{
    /// <summary>The value after <paramref name="name"/>, or null when the option is absent.</summary>
    public static string? Get(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
