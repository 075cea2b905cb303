using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using Xunit;

namespace PaDeLLM.Ner.Tests;

/// <summary>
/// Mentions that repeat another k of their label: which are decoded again, with what barred, and what the
/// algorithm keeps of the second answers.
/// </summary>
public class RepeatedSlotsTests
{
    private static readonly LabelSchema Schema = DatasetCatalog.Get("conll03").Schema;

    // "Alice" stands once in the text, "Bob" twice; positions: Alice 0, Bob 10 and 30, Carol 18.
    private const string Text = "Alice met Bob and Carol, then Bob .";

    [Fact]
    public void A_string_given_by_more_slots_than_it_stands_in_the_text_is_decoded_again_in_its_less_probable_slots()
    {
        MentionCall[] calls = [Call("PER", 4, 1), Call("PER", 4, 2), Call("PER", 4, 3), Call("PER", 4, 4)];
        MentionAnswer[] answers =
        [
            Answer("PER", 1, "Alice", 0.9), Answer("PER", 2, "Alice", 0.6), Answer("PER", 3, "Carol", 0.8),
            Answer("PER", 4, "Alice", 0.7),
        ];

        IReadOnlyList<MentionCall> again = RepeatedSlots.Find(Text, calls, answers);

        // Alice keeps slot 1 (the most probable); slots 2 and 4 are decoded again, barred from both strings.
        Assert.Equal([2, 4], again.Select(c => c.K));
        Assert.All(again, c => Assert.Equal(["Alice", "Carol"], c.Again!.Avoid.Order()));

        // In text order: slot 2 starts after the kept slot 1 (Alice at 0) and before the kept slot 3 (Carol at 18);
        // slot 4 after Carol, with nothing kept above it.
        Assert.Equal((1, 18), (again[0].Again!.From, again[0].Again!.Before));
        Assert.Equal((19, (int?)null), (again[1].Again!.From, again[1].Again!.Before));
    }

    [Fact]
    public void A_string_standing_as_often_in_the_text_as_slots_give_it_is_no_repeat_and_labels_are_apart()
    {
        MentionCall[] calls = [Call("PER", 2, 1), Call("PER", 2, 2), Call("LOC", 1, 1), Call("ORG", 2, 1)];
        MentionAnswer[] answers =
        [
            Answer("PER", 1, "Bob", 0.9), Answer("PER", 2, "Bob", 0.5), Answer("LOC", 1, "Alice", 0.4),
            new("ORG", 1, null, 0, "Empty: the mention is empty", 1),
        ];
        Assert.Empty(RepeatedSlots.Find(Text, calls, answers));

        // The same probability twice: the lower k keeps the string.
        calls = [Call("PER", 2, 1), Call("PER", 2, 2)];
        answers = [Answer("PER", 1, "Carol", 0.5), Answer("PER", 2, "Carol", 0.5)];
        Assert.Equal(2, Assert.Single(RepeatedSlots.Find(Text, calls, answers)).K);
    }

    [Theory]
    [InlineData("Bob", 0.3, true)] // a new string, probable enough: it replaces the repeat
    [InlineData("Bob", 0.01, false)] // below RepeatMinProbability: the repeat stays (and merges away)
    [InlineData("Carol", 0.9, false)] // a barred string again (a decoder that cannot be barred)
    public async Task The_second_answer_replaces_the_repeat_only_when_it_is_new_and_probable_enough(
        string second, double probability, bool taken)
    {
        var steps = new ScriptedSteps(
            first: [Answer("PER", 1, "Alice", 0.9), Answer("PER", 2, "Alice", 0.6), Answer("PER", 3, "Carol", 0.8)],
            again: [Answer("PER", 2, second, probability)]);
        ResultDocument d = await PadellmAlgorithm.RunAsync("d", Text, Schema, steps, () => DateTime.UnixEpoch);

        Assert.Equal(2, steps.Rounds.Count);
        MentionCall call = Assert.Single(steps.Rounds[1]);
        Assert.Equal((2, 1, 18), (call.K, call.Again!.From, call.Again!.Before));
        string[] expected = taken ? ["Alice", "Bob", "Carol"] : ["Alice", "Carol"];
        Assert.Equal(expected, d.Entities.Select(e => e.Text).Distinct().Order());
        Assert.Equal(Schema.Labels.Count + 3 + 1, d.Sequences);
        Assert.Equal(Schema.Labels.Count + 3 + 1, d.TokensGenerated); // one token per answer in ScriptedSteps
        Assert.Empty(d.Failures);
    }

    [Fact]
    public async Task The_papers_algorithm_decodes_no_mention_twice()
    {
        var steps = new ScriptedSteps(
            first: [Answer("PER", 1, "Alice", 0.9), Answer("PER", 2, "Alice", 0.6)],
            again: [Answer("PER", 2, "Bob", 0.9)]);
        ResultDocument d =
            await PadellmAlgorithm.RunAsync("d", Text, Schema, steps, () => DateTime.UnixEpoch, PadellmOptions.Paper);
        Assert.Single(steps.Rounds);
        Assert.Equal(["Alice"], d.Entities.Select(e => e.Text));
    }

    private static MentionCall Call(string label, int count, int k) => new(label, count, k);

    private static MentionAnswer Answer(string label, int k, string mention, double probability) =>
        new(label, k, mention, Math.Log(probability), null, 1);

    /// <summary>Counts that match the first round's answers; each round of mention calls is recorded.</summary>
    private sealed class ScriptedSteps(MentionAnswer[] first, MentionAnswer[] again) : IPadellmSteps
    {
        public List<IReadOnlyList<MentionCall>> Rounds { get; } = [];

        public Task<IReadOnlyList<CountAnswer>> CountAsync(string text, LabelSchema schema) =>
            Task.FromResult<IReadOnlyList<CountAnswer>>(schema.Labels
                .Select(l => new CountAnswer(l.Key, first.Count(a => a.Label == l.Key), null, 1)).ToList());

        public Task<IReadOnlyList<MentionAnswer>> MentionAsync(
            string text, LabelSchema schema, IReadOnlyList<MentionCall> calls)
        {
            Rounds.Add(calls);
            MentionAnswer[] answers = Rounds.Count == 1 ? first : again;
            return Task.FromResult<IReadOnlyList<MentionAnswer>>(
                calls.Select(c => answers.Single(a => a.Label == c.Label && a.K == c.K)).ToList());
        }
    }
}
