using PaDeLLM.Activities;
using PaDeLLM.Contracts;
using PaDeLLM.Contracts.Wire;
using PaDeLLM.Extraction;
using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Numerics;
using PaDeLLM.Ner.Aggregation;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Metrics;
using PaDeLLM.Ner.Training;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers.HuggingFace;
using PaDeLLM.Tokenizers.Training;
using PaDeLLM.Training;
using PaDeLLM.Worker;
using Xunit;
using Xunit.Abstractions;

namespace PaDeLLM.Extraction.Tests;

/// <summary>
/// The whole method on a small synthetic set: a tokenizer and a tiny Llama trained here in the
/// PaDeLLM format (packed trees), saved, loaded by the inference engine, and the extractor then
/// finds the entities of sentences it has not seen, scored with the paper's metric.
/// </summary>
[Collection(SyntheticModelCollection.Name)]
public class SyntheticEndToEndTests(SyntheticModelFixture trained, ITestOutputHelper output)
{
    private static readonly LabelSchema Schema = SyntheticNer.Schema;

    [Fact]
    public async Task A_tiny_model_trained_here_learns_to_extract_the_synthetic_entities()
    {
        List<Sentence> test = SyntheticNer.Generate(40, 2);
        var tokenizer = HfTokenizer.Load(Path.Combine(trained.Directory, "tokenizer.json"));
        double first = trained.Losses.Take(10).Average(), last = trained.Losses.TakeLast(20).Average();
        output.WriteLine($"loss: first 10 steps {first:F3}, last 20 steps {last:F3}");
        Assert.True(last < first / 5, $"loss fell only from {first:F3} to {last:F3}");

        // The trained weights through the inference engine and the extractor.
        using var engine = DecoderModel.Load(trained.Directory);
        var extractor = new PadellmExtractor(engine, tokenizer);
        var evaluator = new NerEvaluator();
        int failures = 0;
        foreach (Sentence s in test)
        {
            ResultDocument document = extractor.Extract(s.Text, Schema);
            failures += document.Failures.Count;
            evaluator.Add(s, document.ToExtractionResult());
        }

        // The paper's way — every sequence alone from its re-tokenized full prompt — finds exactly
        // what the prefix tree finds, with the same probabilities.
        var alone = new PadellmExtractor(engine, tokenizer) { Mode = DecodingMode.Multi };
        foreach (Sentence s in test.Take(15))
        {
            var tree = extractor.Extract(s.Text, Schema).Entities;
            var each = alone.Extract(s.Text, Schema).Entities;
            Assert.Equal(tree.Select(e => (e.Label, e.Text)), each.Select(e => (e.Label, e.Text)));
            Assert.All(tree.Zip(each), p => Assert.Equal(p.First.Probability, p.Second.Probability, 4));
        }

        // The durable pipeline: ExtractDocument fans out a count activity per label, then a mention
        // activity per (label, k), over the engine service; same entities, same probabilities. Each
        // document's text is encoded once, and every mention call continues a cached count branch.
        using var service = new PadellmEngineService(engine, tokenizer);
        await using var pipeline = DurablePipeline.InMemory(new PipelineTasks(service, BlobContainers.For(null)));
        await pipeline.StartAsync();
        int mentionCalls = 0;
        foreach ((Sentence s, int i) in test.Take(10).Select((s, i) => (s, i)))
        {
            await pipeline.ScheduleAsync(TaskNames.ExtractDocument, $"doc-{i}",
                new ExtractDocumentInput($"{i}", s.Text, SchemaSpec.From(Schema)));
            InstanceOutcome<ResultDocument> run =
                await pipeline.WaitAsync<ResultDocument>($"doc-{i}", TimeSpan.FromMinutes(1));
            Assert.True(run.Completed, run.Failure);
            mentionCalls += run.Output!.Sequences - Schema.Labels.Count;
            var expected = extractor.Extract(s.Text, Schema).Entities
                .Select(e => (e.Label, e.Text, e.Start, Math.Round(e.Probability, 4)));
            var actual = run.Output.Entities.Select(e => (e.Label, e.Text, e.Start, Math.Round(e.Probability, 4)));
            Assert.Equal(expected.Order(), actual.Order());
        }

        Assert.Equal(10, service.TextPrefixesEncoded);
        Assert.True(mentionCalls > 10);
        Assert.Equal(mentionCalls, service.CacheHits);

        PrfCounts paper = evaluator.Paper.Micro, span = evaluator.Span.Micro;
        output.WriteLine($"test: paper micro-F1 {paper.F1:P1} (tp {paper.Tp}, fp {paper.Fp}, fn {paper.Fn}), "
            + $"span F1 {span.F1:P1}, parse failures {failures}");
        Assert.True(paper.F1 >= 0.9, $"paper micro-F1 {paper.F1:P1} on unseen sentences");

        // The same model through `padellm extract`: the result document,
        // each entity with its label, text, span and probability.
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = PaDeLLM.Cli.CliApp.Run(
            ["extract", "--model", trained.Directory, "--text", "Greta met Kofi in Hanoi .", "--labels", "PER,LOC"],
            new PaDeLLM.Cli.CliContext(stdout, stderr, interactive: false));
        Assert.True(exit == 0, stderr.ToString());
        var json = System.Text.Json.Nodes.JsonNode.Parse(stdout.ToString())!;
        output.WriteLine(stdout.ToString());
        var entities = json["entities"]!.AsArray()
            .Select(e => ((string)e!["label"]!, (string)e["text"]!, (int)e["start"]!))
            .OrderBy(e => e.Item3)
            .ToList();
        Assert.Equal([("PER", "Greta", 0), ("PER", "Kofi", 10), ("LOC", "Hanoi", 18)], entities);
    }
}
