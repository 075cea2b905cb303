namespace PaDeLLM.Contracts;

/// <summary>The names the orchestrators and activities are registered and called by, on every engine.</summary>
public static class TaskNames
{
    public const string ExtractDocument = "ExtractDocument";
    public const string ProcessCorpus = "ProcessCorpus";
    public const string CountLabel = "CountLabel";
    public const string ExtractMention = "ExtractMention";
    public const string ReadResult = "ReadResult";
    public const string WriteResult = "WriteResult";
    public const string ExistingResults = "ExistingResults";
    public const string ReadCorpus = "ReadCorpus";
    public const string WriteManifest = "WriteManifest";
}
