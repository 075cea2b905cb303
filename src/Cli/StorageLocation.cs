using PaDeLLM.Storage.Azure;
using PaDeLLM.Storage.Blobs;

namespace PaDeLLM.Cli;

/// <summary>
/// A place given on the command line: a local path, or <c>azure:CONTAINER[/PATH]</c> in the
/// storage account of <c>--connection</c> (a connection string, account name or account URL),
/// else the environment's (see <see cref="StorageConnection.FromEnvironment()"/>).
/// </summary>
internal sealed record StorageLocation(IBlobContainer Container, string Path, bool IsLocalFile)
{
    public const string AzurePrefix = "azure:";

    public static StorageLocation Parse(string spec, string? connection, string option)
    {
        if (spec.StartsWith(AzurePrefix, StringComparison.Ordinal))
        {
            string rest = spec[AzurePrefix.Length..];
            int slash = rest.IndexOf('/', StringComparison.Ordinal);
            string container = slash < 0 ? rest : rest[..slash];
            string path = slash < 0 ? "" : rest[(slash + 1)..];
            try
            {
                StorageConnection account = StorageConnection.From(connection)
                    ?? throw new UsageException($"{option} {spec}: no storage account: pass --connection, "
                        + "or set PADELLM_STORAGE (\"UseDevelopmentStorage=true\" for Azurite)");
                return new StorageLocation(account.Container(container), path, false);
            }
            catch (ArgumentException e)
            {
                // StorageConnection's messages name the faulty setting and never quote a key.
                throw new UsageException($"{option} {spec}: {e.Message}");
            }
        }

        string full = System.IO.Path.GetFullPath(spec);
        if (File.Exists(full))
        {
            var directory = new LocalDirectoryContainer(System.IO.Path.GetDirectoryName(full)!);
            return new StorageLocation(directory, System.IO.Path.GetFileName(full), true);
        }

        return new StorageLocation(new LocalDirectoryContainer(full), "", false);
    }
}
