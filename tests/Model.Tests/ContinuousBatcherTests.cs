using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Model.Tests;

/// <summary>
/// Continuous batching must not change what any caller gets: many concurrent callers, joining
/// at different steps, each receive exactly the tokens their requests give when decoded alone,
/// while the model runs fewer, larger steps.
/// </summary>
public sealed class ContinuousBatcherTests
{
    [SharedDataFact]
    public async Task Concurrent_callers_get_what_each_would_get_alone_in_fewer_steps()
    {
        using var model = DecoderModel.Load(Golden.ModelDir("llama-tiny"));
        var rng = new Random(5);
        KvNode shared = model.NewCache().CreateRoot();
        new GreedyGenerator(model).Prefill([new Segment(shared, [1, 17, 42, 99, 3])]);

        // 24 jobs of 1-4 requests: fresh roots and continuations of one shared prefix, varied lengths and stops.
        var jobs = Enumerable.Range(0, 24).Select(j => Enumerable.Range(0, 1 + rng.Next(4)).Select(_ => (
            FromShared: rng.Next(2) == 0,
            Prompt: Enumerable.Range(0, 1 + rng.Next(6)).Select(_ => 4 + rng.Next(290)).ToArray(),
            MaxNew: rng.Next(0, 12),
            Stop: 4 + rng.Next(290))).ToList()).ToList();

        GenerationRequest Request((bool FromShared, int[] Prompt, int MaxNew, int Stop) r) =>
            new(r.FromShared ? shared : model.NewCache().CreateRoot(), r.Prompt, r.MaxNew, new HashSet<int> { r.Stop });

        var alone = jobs.Select(job =>
            job.Select(r => new GreedyGenerator(model).Generate([Request(r)])[0]).ToList()).ToList();

        // Arrivals at different steps, by step rather than by clock (a fast engine finishes a job before a
        // timed arrival): an anchor sequence holds the batcher inside its k-th step until group k is queued.
        using var batcher = new ContinuousBatcher(model);
        const int Groups = 6;
        var gate = new StepGate(Groups);
        var anchor = batcher.GenerateAsync([
            new GenerationRequest(model.NewCache().CreateRoot(), [2, 3], 12, GenerationRequest.NoStop)
            {
                Constraint = gate,
            },
        ]);
        var tasks = new Task<IReadOnlyList<GenerationResult>>[jobs.Count];
        for (int k = 0; k < Groups; k++)
        {
            for (int j = k; j < jobs.Count; j += Groups)
            {
                tasks[j] = batcher.GenerateAsync(jobs[j].Select(Request).ToList());
            }

            gate.Open(k);
        }

        var together = await Task.WhenAll(tasks);
        await anchor;

        for (int j = 0; j < jobs.Count; j++)
        {
            for (int i = 0; i < jobs[j].Count; i++)
            {
                Assert.Equal(alone[j][i].Tokens, together[j][i].Tokens);
                Assert.Equal(alone[j][i].Stopped, together[j][i].Stopped);
                for (int t = 0; t < alone[j][i].Tokens.Length; t++)
                {
                    Assert.Equal(alone[j][i].LogProbabilities[t], together[j][i].LogProbabilities[t], 4);
                }

                // The node holds the prompt and every generated token but the last, as GreedyGenerator's does.
                Assert.Equal(alone[j][i].Node.AllTokens(), together[j][i].Node.AllTokens());
            }
        }

        int sequences = jobs.Sum(j => j.Count) + 1;
        Assert.True(batcher.Metrics.Steps < sequences,
            $"{batcher.Metrics.Steps} steps for {sequences} sequences: nothing was batched");
        Assert.True(batcher.Metrics.BatchSizeSum > batcher.Metrics.Steps);
    }

    [SharedDataFact]
    public async Task A_full_queue_refuses_at_once_and_a_cancelled_job_leaves_the_batch()
    {
        using var model = DecoderModel.Load(Golden.ModelDir("llama-tiny"));
        using var batcher = new ContinuousBatcher(model, maxQueuedJobs: 2);
        GenerationRequest Long() => new(model.NewCache().CreateRoot(), [5, 6, 7], 200, GenerationRequest.NoStop);
        using var cancel = new CancellationTokenSource();
        var running = batcher.GenerateAsync([Long()], cancel.Token);
        var refusals = 0;
        var accepted = new List<Task<IReadOnlyList<GenerationResult>>>();
        for (int i = 0; i < 50; i++)
        {
            try
            {
                accepted.Add(batcher.GenerateAsync([Long()]));
            }
            catch (BatcherFullException)
            {
                refusals++;
            }
        }

        Assert.True(refusals > 0, "50 jobs against a queue of 2 were all accepted");
        Assert.Equal(refusals, batcher.Metrics.RejectedJobs);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        foreach (var t in accepted)
        {
            Assert.Equal(200, (await t)[0].Tokens.Length);
        }

        await Assert.ThrowsAsync<ArgumentException>(() =>
            batcher.GenerateAsync(
            [new GenerationRequest(model.NewCache().CreateRoot(), [], 1, GenerationRequest.NoStop)]));
    }

    /// <summary>Greedy, but the k-th choice waits until group k has been queued (or fails after a minute).</summary>
    private sealed class StepGate(int groups) : ITokenConstraint
    {
        private readonly SemaphoreSlim[] _open =
            Enumerable.Range(0, groups).Select(_ => new SemaphoreSlim(0)).ToArray();
        private int _calls;

        public void Open(int group) => _open[group].Release();

        public int Choose(ReadOnlySpan<float> logits, IReadOnlyList<int> generated)
        {
            int call = _calls++;
            if (call < _open.Length && !_open[call].Wait(TimeSpan.FromMinutes(1)))
            {
                throw new TimeoutException($"group {call} never arrived");
            }

            return Kernels.Sampling.Argmax(logits);
        }
    }
}

public sealed class ContinuousBatcherShutdownTests
{
    [SharedDataFact]
    public async Task Draining_finishes_accepted_work_and_refuses_new_work()
    {
        using var model = DecoderModel.Load(Golden.ModelDir("llama-tiny"));
        var batcher = new ContinuousBatcher(model);
        var accepted = Enumerable.Range(0, 6)
            .Select(i => batcher.GenerateAsync(
            [new GenerationRequest(model.NewCache().CreateRoot(), [5 + i, 6], 40, GenerationRequest.NoStop)])).ToList();
        Task drained = batcher.DrainAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() =>
            batcher.GenerateAsync(
            [new GenerationRequest(model.NewCache().CreateRoot(), [5], 1, GenerationRequest.NoStop)]));
        await drained;
        foreach (var t in accepted)
        {
            Assert.Equal(40, (await t)[0].Tokens.Length);
        }

        batcher.Dispose();
    }
}
