using PaDeLLM.Storage.Azure;
using PaDeLLM.Storage.Blobs;

namespace PaDeLLM.Cli;

/// <summary>
/// A place given on the command line: a local path, or <c>azure:CONTAINER[/PATH]</c> in the
/// storage account of <c>--connection</c> (else $PADELLM_STORAGE, else $AzureWebJobsStorage).
/// </summary>
internal sealed record StorageLocation(IBlobContainer Container, string Path, bool IsLocalFile)
{
    public const string AzurePrefix = "azure:";

    public static StorageLocation Parse(string spec, string? connection, HttpClient http, string option)
    {
        if (spec.StartsWith(AzurePrefix, StringComparison.Ordinal))
        {
            string rest = spec[AzurePrefix.Length..];
            int slash = rest.IndexOf('/', StringComparison.Ordinal);
            string container = slash < 0 ? rest : rest[..slash];
            string path = slash < 0 ? "" : rest[(slash + 1)..];
            string conn = connection
                ?? Environment.GetEnvironmentVariable("PADELLM_STORAGE")
                ?? Environment.GetEnvironmentVariable("AzureWebJobsStorage")
                ?? throw new UsageException($"{option} {spec}: no storage account: pass --connection, or set PADELLM_STORAGE (\"UseDevelopmentStorage=true\" for Azurite)");
            try
            {
                return new StorageLocation(new AzureBlobContainer(http, StorageAccount.Parse(conn), container), path, false);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"{option} {spec}: {e.Message}");
            }
        }

        string full = System.IO.Path.GetFullPath(spec);
        if (File.Exists(full))
        {
            return new StorageLocation(new LocalDirectoryContainer(System.IO.Path.GetDirectoryName(full)!), System.IO.Path.GetFileName(full), true);
        }

        return new StorageLocation(new LocalDirectoryContainer(full), "", false);
    }
}
