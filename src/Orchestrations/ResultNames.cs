using PaDeLLM.Contracts;

namespace PaDeLLM.Orchestrations;

/// <summary>Where a document's result goes: <c>{prefix}{escaped id}.json</c>, the same name on every engine and rerun.</summary>
public static class ResultNames
{
    public static string For(string prefix, string documentId) => $"{prefix}{SafeName.Escape(documentId)}.json";

    /// <summary>A child orchestration's instance id: its corpus run's and the document's, so a rerun finds it.</summary>
    public static string Instance(string parentInstanceId, string documentId) => $"{parentInstanceId}:{SafeName.Escape(documentId)}";
}
