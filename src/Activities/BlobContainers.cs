using PaDeLLM.Storage.Blobs;

namespace PaDeLLM.Activities;

/// <summary>
/// Resolves the container names that orchestration inputs carry ("corpus", "results", …) to
/// containers: local directories when embedded, Azure containers in the cloud. Orchestrations
/// only ever hold names, so histories stay small and portable.
/// </summary>
public sealed class BlobContainers(Func<string, IBlobContainer> open)
{
    private readonly Dictionary<string, IBlobContainer> _opened = new(StringComparer.Ordinal);

    public IBlobContainer this[string name]
    {
        get
        {
            lock (_opened)
            {
                if (!_opened.TryGetValue(name, out IBlobContainer? c))
                {
                    _opened[name] = c = open(name);
                }

                return c;
            }
        }
    }

    /// <summary>Fixed names to fixed containers (e.g. "corpus" → the --in directory, "results" → --out).</summary>
    public static BlobContainers Of(IReadOnlyDictionary<string, IBlobContainer> map) =>
        new(name => map.TryGetValue(name, out IBlobContainer? c) ? c : throw new ArgumentException($"no container named '{name}' is configured"));
}
