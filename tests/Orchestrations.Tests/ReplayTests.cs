using System.Text.Json.Nodes;
using PaDeLLM.Orchestrations.Runtime;
using Xunit;

namespace PaDeLLM.Orchestrations.Tests;

/// <summary>Deterministic replay: the orchestrator re-runs over its history and asks only for what is new.</summary>
public class ReplayTests
{
    private static readonly DateTime T0 = new(2026, 11, 22, 8, 0, 0, DateTimeKind.Utc);

    // PaDeLLM's shape: a count per label in parallel, then a mention per (label, k) in parallel.
    private static async Task<JsonNode?> ExtractLike(IOrchestrationContext ctx)
    {
        string[] labels = ctx.Input!["labels"]!.AsArray().Select(l => (string)l!).ToArray();
        JsonNode?[] counts = await Task.WhenAll(labels.Select(l => ctx.CallActivityAsync("Count", l)));
        var mentions = new List<Task<JsonNode?>>();
        for (int i = 0; i < labels.Length; i++)
        {
            for (int k = 1; k <= (int)counts[i]!; k++)
            {
                mentions.Add(ctx.CallActivityAsync("Mention", new JsonObject { ["label"] = labels[i], ["k"] = k }));
            }
        }

        JsonNode?[] found = await Task.WhenAll(mentions);
        return new JsonArray(found.Select(f => f?.DeepClone()).ToArray());
    }

    private static JsonNode Input => new JsonObject { ["labels"] = new JsonArray("PER", "LOC", "ORG") };

    [Fact]
    public void A_fan_out_fan_in_run_step_by_step()
    {
        var history = new List<HistoryEvent>();
        List<HistoryEvent> newEvents = [new OrchestratorStarted(T0), new ExecutionStarted("Extract", Input)];

        // Episode 1: start → three counts scheduled, ids 0..2, in label order.
        OrchestratorResult r = OrchestrationExecutor.Execute(ExtractLike, "doc-1", history, newEvents);
        Assert.False(r.Completed);
        Assert.Equal(["PER", "LOC", "ORG"], r.Actions.Cast<ScheduleTaskAction>().Select(a => (string)a.Input!));
        Assert.Equal([0, 1, 2], r.Actions.Select(a => a.Id));
        history.AddRange(newEvents);

        // Episode 2: counts 2, 0, 1 come back (out of order) → three mentions scheduled, ids 3..5.
        newEvents = [new OrchestratorStarted(T0.AddSeconds(1)), .. r.Actions.Cast<ScheduleTaskAction>().Select(a => (HistoryEvent)new TaskScheduled(a.Id, a.Name, a.Input)),
            new TaskCompleted(2, 1), new TaskCompleted(0, 2), new TaskCompleted(1, 0)];
        r = OrchestrationExecutor.Execute(ExtractLike, "doc-1", history, newEvents);
        Assert.False(r.Completed);
        var mentions = r.Actions.Cast<ScheduleTaskAction>().ToList();
        Assert.Equal([3, 4, 5], mentions.Select(a => a.Id));
        Assert.Equal(["PER/1", "PER/2", "ORG/1"], mentions.Select(a => $"{a.Input!["label"]}/{a.Input["k"]}"));
        history.AddRange(newEvents);

        // Episode 3: mentions complete → the orchestrator completes with them in order.
        newEvents = [.. mentions.Select(a => (HistoryEvent)new TaskScheduled(a.Id, a.Name, a.Input)), new TaskCompleted(5, "UN"), new TaskCompleted(3, "Ann"), new TaskCompleted(4, "Bob")];
        r = OrchestrationExecutor.Execute(ExtractLike, "doc-1", history, newEvents);
        Assert.True(r.Completed);
        Assert.Equal(["Ann", "Bob", "UN"], r.Output!.AsArray().Select(x => (string)x!));
        Assert.IsType<CompleteOrchestrationAction>(Assert.Single(r.Actions));
        history.AddRange(newEvents);

        // Replaying the whole history asks for nothing new and gives the same result.
        OrchestratorResult again = OrchestrationExecutor.Execute(ExtractLike, "doc-1", history, []);
        Assert.True(again.Completed);
        Assert.True(JsonNode.DeepEquals(r.Output, again.Output));
    }

    [Fact]
    public void A_history_that_no_longer_matches_the_code_is_a_nondeterminism_failure()
    {
        List<HistoryEvent> history = [new OrchestratorStarted(T0), new ExecutionStarted("Extract", Input), new TaskScheduled(0, "Classify", "PER")];
        var e = Assert.Throws<NonDeterminismException>(() => OrchestrationExecutor.Execute(ExtractLike, "doc-2", history, []));
        Assert.Contains("TaskScheduled(id 0, 'Classify')", e.Message);
        Assert.Contains("Count", e.Message);

        List<HistoryEvent> extra = [new OrchestratorStarted(T0), new ExecutionStarted("Extract", Input), new TaskScheduled(7, "Count", "PER")];
        Assert.Contains("nothing with that id", Assert.Throws<NonDeterminismException>(() => OrchestrationExecutor.Execute(ExtractLike, "doc-3", extra, [])).Message);
    }

    [Fact]
    public void A_failed_activity_is_retried_after_a_durable_timer()
    {
        static Task<JsonNode?> Orchestrator(IOrchestrationContext ctx) =>
            ctx.CallActivityAsync("Flaky", null, new RetryPolicy(3, TimeSpan.FromSeconds(5)));

        List<HistoryEvent> history = [new OrchestratorStarted(T0), new ExecutionStarted("Retry", null), new TaskScheduled(0, "Flaky", null), new TaskFailed(0, "503")];
        OrchestratorResult r = OrchestrationExecutor.Execute(Orchestrator, "r-1", history, []);
        var timer = Assert.IsType<CreateTimerAction>(Assert.Single(r.Actions));
        Assert.Equal(T0.AddSeconds(5), timer.FireAt); // from history's clock, not the machine's

        history.AddRange([new TimerCreated(1, timer.FireAt), new TimerFired(1)]);
        r = OrchestrationExecutor.Execute(Orchestrator, "r-1", history, []);
        Assert.Equal("Flaky", Assert.IsType<ScheduleTaskAction>(Assert.Single(r.Actions)).Name);

        history.AddRange([new TaskScheduled(2, "Flaky", null), new TaskFailed(2, "503"), new TimerCreated(3, T0.AddSeconds(10)), new TimerFired(3), new TaskScheduled(4, "Flaky", null), new TaskFailed(4, "still 503")]);
        r = OrchestrationExecutor.Execute(Orchestrator, "r-1", history, []);
        Assert.True(r.Completed);
        Assert.Contains("'Flaky' failed: still 503", r.Failure);
    }

    [Fact]
    public async Task The_in_process_backend_runs_fan_out_fan_in_sub_orchestrations_and_failures()
    {
        int mentionCalls = 0;
        var backend = new InProcessOrchestrationBackend()
            .AddOrchestrator("Extract", ExtractLike)
            .AddOrchestrator("Corpus", async ctx =>
            {
                var docs = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => ctx.CallSubOrchestratorAsync("Extract", Input)));
                return docs.Length;
            })
            .AddActivity("Count", (label, _) => Task.FromResult<JsonNode?>((string)label! switch { "PER" => 2, "LOC" => 1, _ => 0 }))
            .AddActivity("Mention", (x, _) =>
            {
                Interlocked.Increment(ref mentionCalls);
                return Task.FromResult<JsonNode?>($"{x!["label"]}{x["k"]}");
            });

        var (result, history) = await backend.RunAsync("Extract", "doc-9", Input);
        Assert.True(result.Completed);
        Assert.Equal(["PER1", "PER2", "LOC1"], result.Output!.AsArray().Select(x => (string)x!));
        Assert.Equal(3, history.OfType<TaskScheduled>().Count(t => t.Name == "Mention"));
        Assert.IsType<ExecutionCompleted>(history[^1]);

        var (corpus, _) = await backend.RunAsync("Corpus", "corpus-1", null);
        Assert.Equal(3, (int)corpus.Output!);
        Assert.Equal(3 + 9, mentionCalls);

        var failing = new InProcessOrchestrationBackend().AddOrchestrator("Extract", ExtractLike);
        var (failed, _) = await failing.RunAsync("Extract", "doc-x", Input);
        Assert.True(failed.Completed);
        Assert.Contains("no activity named 'Count'", failed.Failure);
    }
}

public sealed class HistoryStoreTests
{
    private static readonly List<HistoryEvent> Every =
    [
        new OrchestratorStarted(new DateTime(2026, 11, 22, 8, 0, 0, DateTimeKind.Utc)),
        new ExecutionStarted("ExtractDocument", JsonNode.Parse("{\"text\":\"Zürich 東京\",\"n\":[1,2.5,null]}")),
        new TaskScheduled(0, "CountLabel", JsonNode.Parse("{\"label\":\"PER\"}")),
        new TaskCompleted(0, JsonNode.Parse("{\"count\":2}")),
        new TaskFailed(1, "boom"),
        new SubOrchestrationCreated(2, "ExtractDocument", "corpus|a/b c|doc-1", null),
        new SubOrchestrationCompleted(2, JsonValue.Create(7)),
        new SubOrchestrationFailed(3, "bad"),
        new TimerCreated(4, new DateTime(2026, 11, 22, 8, 0, 1, DateTimeKind.Utc)),
        new TimerFired(4),
        new ExecutionCompleted(null, "failed for a reason"),
    ];

    [Fact]
    public void Every_event_round_trips_through_the_directory_store_and_odd_ids_stay_distinct()
    {
        using var dir = new PaDeLLM.Tests.TempDir();
        var store = new DirectoryHistoryStore(dir.Path);
        store.Append("corpus|a/b c|doc-1", Every[..4]);
        store.Append("corpus|a/b c|doc-1", Every[4..]);
        store.Append("corpus|a/b c|doc-2", Every[..1]);
        var loaded = new DirectoryHistoryStore(dir.Path).Load("corpus|a/b c|doc-1");
        Assert.Equal(Every.Select(Render), loaded.Select(Render));
        Assert.Single(store.Load("corpus|a/b c|doc-2"));
        Assert.Empty(store.Load("never seen"));
        store.Purge("corpus|a/b c|doc-2");
        Assert.Empty(store.Load("corpus|a/b c|doc-2"));
    }

    [Fact]
    public void A_torn_last_line_is_dropped_and_a_corrupt_middle_line_is_named()
    {
        using var dir = new PaDeLLM.Tests.TempDir();
        var store = new DirectoryHistoryStore(dir.Path);
        store.Append("i", Every[..3]);
        File.AppendAllText(store.PathOf("i"), "{\"type\":\"TaskComp");
        Assert.Equal(3, store.Load("i").Count);
        store.Append("i", Every[3..4]);
        Assert.Equal(4, store.Load("i").Count); // the torn line was cut, so the append is readable

        var lines = File.ReadAllLines(store.PathOf("i"));
        lines[1] = "not json";
        File.WriteAllLines(store.PathOf("i"), lines);
        var e = Assert.Throws<InvalidDataException>(() => store.Load("i"));
        Assert.Contains($"{store.PathOf("i")}:2:", e.Message, StringComparison.Ordinal);
    }

    // Records holding JsonNodes compare by reference: compare their JSON.
    private static string Render(HistoryEvent e) => System.Text.Json.JsonSerializer.Serialize(e);
}
