using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using PaDeLLM.Functions.Durable;
using PaDeLLM.Orchestrations;
using PaDeLLM.Orchestrations.Extraction;
using PaDeLLM.Orchestrations.Runtime;
using Xunit;
using P = PaDeLLM.Functions.Durable.Protocol;

namespace PaDeLLM.Functions.Tests;

/// <summary>
/// The orchestration trigger driven episode by episode with protobuf histories, as the Durable
/// extension drives it: what each episode schedules, and the final result.
/// </summary>
public sealed class OrchestrationTriggerReplayTests
{
    private const string Text = "EU rejects German call to boycott British lamb .";
    private static readonly DateTime T0 = new(2026, 11, 22, 9, 0, 0, DateTimeKind.Utc);

    private static readonly OrchestrationTrigger Trigger = new(new Dictionary<string, Func<IOrchestrationContext, Task<JsonNode?>>>
    {
        [ExtractDocumentOrchestrator.Name] = ExtractDocumentOrchestrator.RunAsync,
    });

    private static JsonObject Input() => new()
    {
        ["id"] = "doc-1",
        ["text"] = Text,
        ["schema"] = new JsonObject
        {
            ["name"] = "conll03",
            ["language"] = "en",
            ["labels"] = new JsonArray(new[] { "ORG", "MISC", "PER", "LOC" }.Select(l => (JsonNode)new JsonObject { ["key"] = l, ["prompt"] = l }).ToArray()),
        },
    };

    [Fact]
    public void A_full_ExtractDocument_run_step_by_step()
    {
        var history = new History();

        // 1. Start: four count activities, one per label.
        P.OrchestratorResponse r1 = history.Episode(Trigger, new ExecutionStarted(ExtractDocumentOrchestrator.Name, Input()));
        Assert.Equal("doc-1-instance", r1.InstanceId);
        Assert.Equal([0, 1, 2, 3], r1.Actions.Select(a => a.Id));
        Assert.All(r1.Actions, a => Assert.Equal(ExtractDocumentOrchestrator.CountActivity, a.ScheduleTask.Name));
        Assert.Equal(["ORG", "MISC", "PER", "LOC"], r1.Actions.Select(a => (string)JsonNode.Parse(a.ScheduleTask.Input)!["label"]!));

        // 2. Counts completed (ORG 1, MISC 2, PER 0, LOC 0): three mention activities.
        P.OrchestratorResponse r2 = history.Episode(Trigger,
            new TaskCompleted(0, Count("ORG", 1)), new TaskCompleted(1, Count("MISC", 2)), new TaskCompleted(2, Count("PER", 0)), new TaskCompleted(3, Count("LOC", 0)));
        Assert.Equal([4, 5, 6], r2.Actions.Select(a => a.Id));
        Assert.All(r2.Actions, a => Assert.Equal(ExtractDocumentOrchestrator.MentionActivity, a.ScheduleTask.Name));
        Assert.Equal([("ORG", 1), ("MISC", 1), ("MISC", 2)], r2.Actions.Select(a => JsonNode.Parse(a.ScheduleTask.Input)!).Select(i => ((string)i["label"]!, (int)i["k"]!)));

        // 3. Mentions completed, "British" predicted as MISC and (less probably) as ORG: completion, de-duplicated, located.
        P.OrchestratorResponse r3 = history.Episode(Trigger,
            new TaskCompleted(4, Mention("ORG", 1, "British", -0.9)), new TaskCompleted(5, Mention("MISC", 1, "German", -0.1)), new TaskCompleted(6, Mention("MISC", 2, "British", -0.2)));
        P.OrchestratorAction done = Assert.Single(r3.Actions);
        Assert.Equal(P.OrchestrationStatus.Completed, done.CompleteOrchestration.OrchestrationStatus);
        JsonNode result = JsonNode.Parse(done.CompleteOrchestration.Result)!;
        var entities = result["entities"]!.AsArray().Select(e => ((string)e!["label"]!, (string)e["text"]!, (int)e["start"]!, (int)e["end"]!)).ToList();
        Assert.Equal([("MISC", "German", 11, 17), ("MISC", "British", 34, 41)], entities.OrderBy(e => e.Item3));
        Assert.Equal(4, (int)result["tokens_generated"]!); // four counts of one token each; the mentions report none here
    }

    [Fact]
    public void A_failed_count_is_retried_after_a_durable_timer()
    {
        var history = new History();
        history.Episode(Trigger, new ExecutionStarted(ExtractDocumentOrchestrator.Name, Input()));
        P.OrchestratorResponse r = history.Episode(Trigger, new TaskFailed(2, "GPU host unavailable"), new TaskCompleted(0, Count("ORG", 0)), new TaskCompleted(1, Count("MISC", 0)), new TaskCompleted(3, Count("LOC", 0)));
        P.OrchestratorAction timer = Assert.Single(r.Actions);
        Assert.Equal(4, timer.Id);
        Assert.Equal(T0.AddMinutes(1).AddSeconds(1), timer.CreateTimer.FireAt.ToDateTime()); // first retry delay 1 s after the episode's time

        P.OrchestratorResponse retry = history.Episode(Trigger, new TimerFired(4));
        P.OrchestratorAction again = Assert.Single(retry.Actions);
        Assert.Equal(5, again.Id);
        Assert.Equal(ExtractDocumentOrchestrator.CountActivity, again.ScheduleTask.Name);
        Assert.Equal("PER", (string)JsonNode.Parse(again.ScheduleTask.Input)!["label"]!);

        P.OrchestratorResponse end = history.Episode(Trigger, new TaskCompleted(5, Count("PER", 0)));
        Assert.Equal(P.OrchestrationStatus.Completed, Assert.Single(end.Actions).CompleteOrchestration.OrchestrationStatus);
    }

    [Fact]
    public void A_history_the_code_no_longer_matches_fails_with_a_clear_nondeterminism_error()
    {
        var request = new P.OrchestratorRequest { InstanceId = "x" };
        request.PastEvents.Add(ProtocolHistory.ToProtocol(new OrchestratorStarted(T0), -1, T0));
        request.PastEvents.Add(ProtocolHistory.ToProtocol(new ExecutionStarted(ExtractDocumentOrchestrator.Name, Input()), -1, T0));
        request.PastEvents.Add(ProtocolHistory.ToProtocol(new TaskScheduled(0, "TranslateText", null), 0, T0));
        request.NewEvents.Add(ProtocolHistory.ToProtocol(new OrchestratorStarted(T0.AddMinutes(1)), -1, T0));
        P.OrchestratorResponse response = Trigger.Handle(request);
        P.CompleteOrchestrationAction failed = Assert.Single(response.Actions).CompleteOrchestration;
        Assert.Equal(P.OrchestrationStatus.Failed, failed.OrchestrationStatus);
        Assert.Equal("NonDeterminismException", failed.FailureDetails.ErrorType);
        Assert.Contains("TaskScheduled(id 0, 'TranslateText')", failed.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains(ExtractDocumentOrchestrator.CountActivity, failed.FailureDetails.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_base64_form_round_trips_and_garbage_is_refused_by_name()
    {
        var request = new P.OrchestratorRequest { InstanceId = "b64" };
        request.NewEvents.Add(ProtocolHistory.ToProtocol(new OrchestratorStarted(T0), -1, T0));
        request.NewEvents.Add(ProtocolHistory.ToProtocol(new ExecutionStarted(ExtractDocumentOrchestrator.Name, Input()), -1, T0));
        string answer = Trigger.Handle(Convert.ToBase64String(request.ToByteArray()));
        Assert.Equal(4, P.OrchestratorResponse.Parser.ParseFrom(Convert.FromBase64String(answer)).Actions.Count);
        Assert.Contains("OrchestratorRequest", Assert.Throws<ArgumentException>(() => Trigger.Handle("%%% not base64")).Message, StringComparison.Ordinal);

        var unknown = new P.OrchestratorRequest { InstanceId = "u" };
        unknown.NewEvents.Add(ProtocolHistory.ToProtocol(new ExecutionStarted("NoSuchOrchestrator", null), -1, T0));
        Assert.Equal("OrchestratorNotFound", Assert.Single(Trigger.Handle(unknown).Actions).CompleteOrchestration.FailureDetails.ErrorType);
    }

    private static JsonObject Count(string label, int n) => new() { ["label"] = label, ["count"] = n, ["failure"] = null, ["tokens"] = 1, ["model"] = "m" };

    private static JsonObject Mention(string label, int k, string mention, double logprob) => new() { ["label"] = label, ["k"] = k, ["mention"] = mention, ["logprob"] = logprob, ["failure"] = null, ["tokens"] = 0 };

    /// <summary>The Durable extension's side: past events, plus each episode's actions recorded as scheduling events.</summary>
    private sealed class History
    {
        private readonly List<P.HistoryEvent> _past = [];
        private int _episode;

        public P.OrchestratorResponse Episode(OrchestrationTrigger trigger, params HistoryEvent[] events)
        {
            DateTime now = T0.AddMinutes(_episode++);
            var request = new P.OrchestratorRequest { InstanceId = "doc-1-instance", ExecutionId = "e1" };
            request.PastEvents.AddRange(_past);
            request.NewEvents.Add(ProtocolHistory.ToProtocol(new OrchestratorStarted(now), -1, now));
            request.NewEvents.AddRange(events.Select(e => ProtocolHistory.ToProtocol(e, -1, now)));

            // Over the wire, as the host sends it.
            var response = P.OrchestratorResponse.Parser.ParseFrom(Convert.FromBase64String(trigger.Handle(Convert.ToBase64String(request.ToByteArray()))));
            _past.AddRange(request.NewEvents);
            foreach (P.OrchestratorAction a in response.Actions)
            {
                switch (a.OrchestratorActionTypeCase)
                {
                    case P.OrchestratorAction.OrchestratorActionTypeOneofCase.ScheduleTask:
                        _past.Add(new P.HistoryEvent { EventId = a.Id, Timestamp = Timestamp.FromDateTime(now), TaskScheduled = new P.TaskScheduledEvent { Name = a.ScheduleTask.Name, Input = a.ScheduleTask.Input } });
                        break;
                    case P.OrchestratorAction.OrchestratorActionTypeOneofCase.CreateTimer:
                        _past.Add(new P.HistoryEvent { EventId = a.Id, Timestamp = Timestamp.FromDateTime(now), TimerCreated = new P.TimerCreatedEvent { FireAt = a.CreateTimer.FireAt } });
                        break;
                }
            }

            _past.Add(new P.HistoryEvent { EventId = -1, Timestamp = Timestamp.FromDateTime(now), OrchestratorCompleted = new P.OrchestratorCompletedEvent() });
            return response;
        }
    }
}
