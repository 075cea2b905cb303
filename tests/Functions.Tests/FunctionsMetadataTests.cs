using System.Reflection;
using System.Text.Json;
using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Functions.Configuration;
using PaDeLLM.Functions.Triggers;
using PaDeLLM.Orchestrations;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Functions.Tests;

/// <summary>
/// The build's functions.metadata, what the host indexes: every trigger with its bindings, an
/// orchestration trigger per orchestrator and an activity trigger per activity in
/// <see cref="TaskNames"/>, so a task added there without its trigger fails here.
/// </summary>
public sealed class FunctionsMetadataTests
{
    [Fact]
    public void EveryTaskNameHasItsTriggerAndNothingElseIsRegistered()
    {
        Dictionary<string, JsonElement[]> functions = Metadata();
        string[] orchestrations = Orchestrations();
        string[] activities = [.. TaskNameValues().Except(orchestrations)];
        Assert.Equal(9, orchestrations.Length + activities.Length);

        foreach (string name in orchestrations)
        {
            Assert.Equal("orchestrationTrigger", Type(Assert.Single(Bindings(functions, name))));
        }

        foreach (string name in activities)
        {
            Assert.Equal("activityTrigger", Type(Assert.Single(Bindings(functions, name))));
        }

        string[] triggers = [ExtractHttpFunction.Name, CorpusBlobFunction.Name, IngestQueueFunction.Name];
        Assert.Equal(
            orchestrations.Concat(activities).Concat(triggers).Order(StringComparer.Ordinal),
            functions.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryActivityClassIsNamedInTaskNames()
    {
        // The other direction: an activity class without a name (so without a trigger) is caught too.
        string[] classes = [.. typeof(CountLabelActivity).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && IsSubclassOfGeneric(t, typeof(Microsoft.DurableTask.TaskActivity<,>)))
            .Select(t => t.Name[..^"Activity".Length])];
        Assert.Equal(7, classes.Length);
        Assert.All(classes, c => Assert.Contains(c, TaskNameValues()));
    }

    [Fact]
    public void TheHttpStartIsAPostToApiExtractWithAFunctionKeyAndADurableClient()
    {
        JsonElement[] bindings = Bindings(Metadata(), ExtractHttpFunction.Name);
        JsonElement http = Assert.Single(bindings, b => Type(b) == "httpTrigger");
        Assert.Equal("extract", http.GetProperty("route").GetString());
        string[] methods =
            [.. http.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant())];
        Assert.Equal(["post"], methods);
        Assert.Equal("function", http.GetProperty("authLevel").GetString()!.ToLowerInvariant());
        Assert.Single(bindings, b => Type(b) == "durableClient");
        Assert.Single(bindings, b => Type(b) == "http" && Direction(b) == "out");
    }

    [Fact]
    public void TheCorpusBlobTriggerWatchesCorpusWithTheHostStorageAndADurableClient()
    {
        JsonElement[] bindings = Bindings(Metadata(), CorpusBlobFunction.Name);
        JsonElement blob = Assert.Single(bindings, b => Type(b) == "blobTrigger");
        Assert.Equal("corpus/{name}", blob.GetProperty("path").GetString());
        Assert.Equal(AppNames.StorageConnection, blob.GetProperty("connection").GetString());
        Assert.Single(bindings, b => Type(b) == "durableClient");
    }

    [Fact]
    public void TheIngestQueueTriggerReadsIngestWithTheHostStorageAndADurableClient()
    {
        JsonElement[] bindings = Bindings(Metadata(), IngestQueueFunction.Name);
        JsonElement queue = Assert.Single(bindings, b => Type(b) == "queueTrigger");
        Assert.Equal("ingest", queue.GetProperty("queueName").GetString());
        Assert.Equal(AppNames.StorageConnection, queue.GetProperty("connection").GetString());
        Assert.Single(bindings, b => Type(b) == "durableClient");
    }

    /// <summary>The build output's functions.metadata (built with the test project, in its configuration).</summary>
    internal static string MetadataPath()
    {
        string configuration = typeof(FunctionsMetadataTests).Assembly
            .GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        return Path.Combine(
            SharedData.RepoRoot, "src", "Functions", "bin", configuration, "net10.0", "functions.metadata");
    }

    private static Dictionary<string, JsonElement[]> Metadata()
    {
        string path = MetadataPath();
        Assert.True(File.Exists(path), $"{path} not found: build src/Functions first");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateArray().ToDictionary(
            f => f.GetProperty("name").GetString()!,
            f => f.GetProperty("bindings").EnumerateArray().Select(b => b.Clone()).ToArray(),
            StringComparer.Ordinal);
    }

    private static JsonElement[] Bindings(Dictionary<string, JsonElement[]> functions, string name) =>
        functions.TryGetValue(name, out JsonElement[]? b) ? b : throw new Xunit.Sdk.XunitException(
            $"no function '{name}' in functions.metadata (has: {string.Join(", ", functions.Keys)})");

    private static string? Type(JsonElement binding) => binding.GetProperty("type").GetString();

    private static string? Direction(JsonElement binding) =>
        binding.GetProperty("direction").GetString()?.ToLowerInvariant();

    private static string[] TaskNameValues() => [.. typeof(TaskNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)];

    // Orchestrations are the TaskOrchestrator classes, named as their class less "Orchestrator".
    private static string[] Orchestrations()
    {
        string[] names = [.. typeof(ExtractDocumentOrchestrator).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && IsSubclassOfGeneric(t, typeof(Microsoft.DurableTask.TaskOrchestrator<,>)))
            .Select(t => t.Name[..^"Orchestrator".Length])];
        Assert.Equal([TaskNames.ExtractDocument, TaskNames.ProcessCorpus], names.Order(StringComparer.Ordinal));
        return names;
    }

    private static bool IsSubclassOfGeneric(Type type, Type generic)
    {
        for (Type? t = type.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == generic)
            {
                return true;
            }
        }

        return false;
    }
}
