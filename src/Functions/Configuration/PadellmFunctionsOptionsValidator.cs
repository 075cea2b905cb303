using Microsoft.Extensions.Options;

namespace PaDeLLM.Functions.Configuration;

/// <summary>Refuses unusable settings at start, each problem naming its app setting.</summary>
public sealed class PadellmFunctionsOptionsValidator : IValidateOptions<PadellmFunctionsOptions>
{
    public ValidateOptionsResult Validate(string? name, PadellmFunctionsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
