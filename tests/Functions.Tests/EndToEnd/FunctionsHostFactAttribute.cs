using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Functions.Tests.EndToEnd;

/// <summary>
/// A fact that needs the Functions host build (<c>../shared/tools/functions-host</c>) and
/// Azurite; skipped, with the reason printed, where either is missing.
/// </summary>
public sealed class FunctionsHostFactAttribute : FactAttribute
{
    public FunctionsHostFactAttribute()
    {
        if (FunctionsHost.MissingReason is string reason)
        {
            Skip = reason;
        }
    }
}
