using Azure.Core;
using Azure.Identity;

namespace PaDeLLM.Storage.Azure;

/// <summary>
/// The Entra ID credential for an account reached without a key. A user-assigned managed
/// identity when a client id is known (it must be named: a host can carry several); the
/// system-assigned one when managed identity is asked for; else DefaultAzureCredential, which
/// also covers a developer's Azure CLI login. Building one contacts nothing.
/// </summary>
internal static class StorageCredentials
{
    public static TokenCredential Choose(string? clientId, bool managedIdentity) =>
        clientId is not null
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : managedIdentity
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new DefaultAzureCredential();

    /// <summary>For <see cref="StorageConnection.Description"/>: which credential, never a token.</summary>
    public static string Describe(TokenCredential credential, string? clientId) => clientId is null
        ? credential.GetType().Name
        : $"{credential.GetType().Name} (client id {clientId})";
}
