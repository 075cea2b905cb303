using System.Text;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Documents;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Functions.Configuration;
using PaDeLLM.Functions.Triggers;
using PaDeLLM.Ner.Data;
using PaDeLLM.Orchestrations;
using Xunit;

namespace PaDeLLM.Functions.Tests;

/// <summary>What the triggers make of their input: HTTP bodies, instance ids, result folders, payloads.</summary>
public sealed class TriggerInputTests
{
    private static readonly PipelineSchema Schema = new(DatasetCatalog.Get("conll03").Schema);

    [Fact]
    public void ARequestTakesItsIdTextAndLabelSubset()
    {
        (ExtractRequest? r, DocumentProblem? p) = ExtractRequest.Parse(
            "{\"id\":\"d1\",\"text\":\"EU rejects it .\",\"labels\":[\"LOC\",\"ORG\"]}", Schema, 100);
        Assert.Null(p);
        Assert.Equal(("d1", "EU rejects it ."), (r!.Id, r.Text));
        Assert.Equal(["LOC", "ORG"], r.Schema.Labels.Select(l => l.Key));

        (r, _) = ExtractRequest.Parse("{\"text\":\"x\"}", Schema, 100);
        Assert.Null(r!.Id);
        Assert.Equal(Schema.Spec, r.Schema);
    }

    [Theory]
    [InlineData("not json", "body", false)]
    [InlineData("[\"text\"]", "body", false)]
    [InlineData("{\"id\":\"\",\"text\":\"x\"}", "id", false)]
    [InlineData("{\"id\":3,\"text\":\"x\"}", "id", false)]
    [InlineData("{\"text\":\"\"}", "text", false)]
    [InlineData("{\"text\":5}", "text", false)]
    [InlineData("{\"text\":\"0123456789x\"}", "text", true)]
    [InlineData("{\"text\":\"x\",\"labels\":\"PER\"}", "labels", false)]
    [InlineData("{\"text\":\"x\",\"labels\":[]}", "labels", false)]
    [InlineData("{\"text\":\"x\",\"labels\":[\"DATE\"]}", "labels", false)]
    [InlineData("{\"text\":\"x\",\"labels\":[\"PER\",\"PER\"]}", "labels", false)]
    public void AProblemNamesItsField(string body, string field, bool tooLarge)
    {
        (ExtractRequest? r, DocumentProblem? p) = ExtractRequest.Parse(body, Schema, 10);
        Assert.Null(r);
        Assert.Equal((field, tooLarge), (p!.Field, p.TooLarge));
        Assert.False(string.IsNullOrEmpty(p.Detail));
    }

    [Theory]
    [InlineData("day-1.jsonl", "day-1/")]
    [InlineData("news/2024.jsonl", "news/2024/")]
    [InlineData("dir.v2/file", "dir.v2/file/")]
    [InlineData(".hidden", ".hidden/")]
    [InlineData("a.tar.gz", "a.tar/")]
    public void ACorpusResultsFolderIsItsNameLessTheExtension(string name, string prefix) =>
        Assert.Equal(prefix, CorpusBlobFunction.OutputPrefix(name));

    [Fact]
    public void ACorpusInstanceNamesTheBlobAndItsContent()
    {
        string a = CorpusBlobFunction.InstanceId("news/day 1.jsonl", "x\n"u8);
        Assert.Equal(a, CorpusBlobFunction.InstanceId("news/day 1.jsonl", "x\n"u8));
        Assert.NotEqual(a, CorpusBlobFunction.InstanceId("news/day 1.jsonl", "y\n"u8));
        Assert.StartsWith("corpus-news!2Fday!201.jsonl-", a, StringComparison.Ordinal);
        Assert.DoesNotContain(a, c => c is '%' or '/' or '\\' or '#' or '?');
    }

    [Fact]
    public void InstanceIdsAvoidPercentAndStayDistinct()
    {
        // '%' would be unescaped twice by Durable's status URLs; SafeName escapes '!' itself, so no two ids meet.
        string[] ids = ["a b", "a!20b", "a%20b", "a_b", "a~b", "ä"];
        string[] instances = [.. ids.Select(id => InstanceIds.For("api-", id))];
        Assert.Equal("api-a!20b", instances[0]);
        Assert.Equal(ids.Length, instances.Distinct(StringComparer.Ordinal).Count());
        Assert.All(instances, i => Assert.DoesNotContain('%', i));
    }

    [Fact]
    public void TheWorkersSerializerWritesWhatPipelineDataConverterWrites()
    {
        var input = new ExtractDocumentInput("d", "t", Schema.Spec, new BlobRef("results", "api/d.json"));
        using var stream = new MemoryStream();
        PipelineObjectSerializer.Instance.Serialize(stream, input, input.GetType(), default);
        string json = Encoding.UTF8.GetString(stream.ToArray());
        Assert.Equal(PipelineDataConverter.Instance.Serialize(input), json);
        const string Output = "\"output\":{\"container\":\"results\",\"name\":\"api/d.json\"}";
        Assert.Contains(Output, json, StringComparison.Ordinal);

        stream.Position = 0;
        var back = (ExtractDocumentInput)PipelineObjectSerializer.Instance
            .Deserialize(stream, typeof(ExtractDocumentInput), default)!;
        Assert.Equal(input.Output, back.Output);
        Assert.Equal(input.Schema.Labels, back.Schema.Labels);
        Assert.Equal("null", Encoding.UTF8.GetString(PipelineObjectSerializer.Instance.Serialize(null).ToArray()));
    }
}
