using PaDeLLM.Contracts;

namespace PaDeLLM.Orchestrations;

/// <summary>
/// Where a document's result goes: <c>{prefix}{escaped id}.json</c>,
/// the same name on every engine and rerun.
/// </summary>
public static class ResultNames
{
    /// <summary>The name of the manifest beside a corpus's results; no document's result takes it.</summary>
    public const string Manifest = "manifest.json";

    public static string For(string prefix, string documentId)
    {
        string name = SafeName.Escape(documentId);

        // A document whose id is "manifest" must not overwrite (or be mistaken for) the manifest: its 'm' is escaped.
        return $"{prefix}{(name == "manifest" ? "%6Danifest" : name)}.json";
    }
}
