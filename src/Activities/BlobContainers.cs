using PaDeLLM.Storage.Azure;
using PaDeLLM.Storage.Blobs;

namespace PaDeLLM.Activities;

/// <summary>
/// Resolves the container names that orchestration inputs carry to containers: <c>file:/DIR</c>
/// to a local directory (the embedded default, and workers sharing one machine's disk), any
/// other name to the Azure container of that name in the worker's storage account.
/// Orchestrations only ever hold names, so histories stay small and portable.
/// </summary>
public sealed class BlobContainers(Func<string, IBlobContainer> open)
{
    public const string LocalPrefix = "file:";

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

    /// <summary>The name a local directory goes by in orchestration inputs.</summary>
    public static string LocalName(string directory) => LocalPrefix + Path.GetFullPath(directory);

    /// <summary>The name of a container as orchestration inputs carry it.</summary>
    public static string NameOf(IBlobContainer container) => container switch
    {
        LocalDirectoryContainer local => LocalName(local.Directory),
        AzureBlobContainer azure => azure.Client.Name,
        _ => throw new ArgumentException($"no name for container {container.Location}", nameof(container)),
    };

    /// <summary>
    /// <c>file:</c> names as directories, the rest in <paramref name="azure"/>'s
    /// account (an error naming the container without one).
    /// </summary>
    public static BlobContainers For(StorageConnection? azure) => new(name =>
        name.StartsWith(LocalPrefix, StringComparison.Ordinal) ? new LocalDirectoryContainer(name[LocalPrefix.Length..])
        : azure is not null ? azure.Container(name)
        : throw new ArgumentException(
            $"container '{name}' is an Azure container, and no storage account is configured"));
}
