using System.Buffers;
using System.Threading.Channels;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Kernels;

namespace PaDeLLM.Model.Inference;

/// <summary>
/// Continuous batching: one thread owns the model, and every decode step runs the sequences of
/// all callers in one forward pass. A job (a caller's set of requests) joins between steps —
/// its prompts prefilled in the same pass as the running sequences' next tokens — and each
/// sequence leaves the moment it stops, so a short count answer never waits for a long mention.
/// Every tree operation (branching, appending K/V) happens on this thread, so callers only hold
/// node references. A full queue refuses work at once (<see cref="BatcherFullException"/>)
/// instead of letting latency grow without bound.
/// </summary>
public sealed class ContinuousBatcher : IDisposable
{
    private readonly DecoderModel _model;
    private readonly Channel<Job> _queue;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private int _queued;

    public ContinuousBatcher(DecoderModel model, int maxQueuedJobs = 1024, int maxActiveSequences = 512)
    {
        _model = model;
        MaxQueuedJobs = maxQueuedJobs;
        MaxActiveSequences = maxActiveSequences;
        _queue = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleReader = true });
        _thread = new Thread(Loop) { IsBackground = true, Name = "padellm-batcher" };
        _thread.Start();
    }

    public int MaxQueuedJobs { get; }

    public int MaxActiveSequences { get; }

    public BatcherMetrics Metrics { get; } = new();

    /// <summary>Jobs waiting to join the batch.</summary>
    public int QueueDepth => Volatile.Read(ref _queued);

    /// <summary>
    /// Generates every request (greedy) alongside whatever else is running; results in request order.
    /// </summary>
    public Task<IReadOnlyList<GenerationResult>> GenerateAsync(
        IReadOnlyList<GenerationRequest> requests, CancellationToken cancel = default)
    {
        GenerationRequest.Admit(requests, _model.Config.ContextLength);
        if (requests.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<GenerationResult>>([]);
        }

        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        if (Interlocked.Increment(ref _queued) > MaxQueuedJobs)
        {
            Interlocked.Decrement(ref _queued);
            Metrics.Rejected();
            throw new BatcherFullException(MaxQueuedJobs);
        }

        var job = new Job(requests, cancel);
        if (!_queue.Writer.TryWrite(job))
        {
            Interlocked.Decrement(ref _queued);
            throw new ObjectDisposedException(nameof(ContinuousBatcher));
        }

        return job.Source.Task;
    }

    /// <summary>Stops taking jobs; what was accepted is still finished. Returns when the loop has drained.</summary>
    public Task DrainAsync()
    {
        _queue.Writer.TryComplete();
        return Task.Run(() => _thread.Join());
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _thread.Join();
        _stop.Cancel();
        _stop.Dispose();
    }

    private void Loop()
    {
        var active = new List<Sequence>();
        ChannelReader<Job> reader = _queue.Reader;
        while (true)
        {
            // Idle: block for the next job (or the end). Busy: take whatever has arrived.
            if (active.Count == 0 && !reader.TryPeek(out _))
            {
                if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    return;
                }
            }

            var joining = new List<Job>();
            int room = MaxActiveSequences - active.Count;
            while ((joining.Count == 0 || room > 0) && reader.TryRead(out Job? job))
            {
                Interlocked.Decrement(ref _queued);
                if (job.Cancel.IsCancellationRequested)
                {
                    job.Source.TrySetCanceled(job.Cancel);
                    continue;
                }

                joining.Add(job);
                room -= job.Requests.Count;
            }

            foreach (Job gone in active.Select(s => s.Job)
                .Where(j => j.Cancel.IsCancellationRequested).Distinct().ToList())
            {
                gone.Source.TrySetCanceled(gone.Cancel);
                active.RemoveAll(s => s.Job == gone);
            }

            if (active.Count == 0 && joining.Count == 0)
            {
                continue;
            }

            var rows = new List<Sequence>(active.Count + joining.Sum(j => j.Requests.Count));
            var segments = new List<Segment>(rows.Capacity);
            float[]? logits = null; // pooled: a step's [rows, vocab] is a large object
            try
            {
                if (joining.Count > 0)
                {
                    // The newcomers' shared prompt prefixes first (their own passes), then their branches.
                    var all = joining.SelectMany(j => j.Requests).ToList();
                    SharedPrefixPlanner.Placement[] placements =
                        SharedPrefixPlanner.Plan(all, s => _model.Forward(s, []));
                    int p = 0;
                    foreach (Job job in joining)
                    {
                        for (int i = 0; i < job.Requests.Count; i++, p++)
                        {
                            var seq = new Sequence(job, i, placements[p].Parent.Branch());
                            rows.Add(seq);
                            segments.Add(new Segment(
                                seq.Node, placements[p].Suffix, job.Requests[i].BidirectionalPrompt));
                        }
                    }
                }

                foreach (Sequence s in active)
                {
                    rows.Add(s);
                    segments.Add(new Segment(s.Node, [s.Tokens[^1]]));
                }

                logits = ArrayPool<float>.Shared.Rent(segments.Count * _model.Config.VocabSize);
                _model.Forward(segments, logits);
                Metrics.Step(rows.Count, segments.Sum(s => s.Tokens.Length));
                int vocab = _model.Config.VocabSize;
                active.Clear();
                for (int r = 0; r < rows.Count; r++)
                {
                    Sequence s = rows[r];
                    GenerationRequest request = s.Job.Requests[s.Index];
                    if (request.MaxNewTokens > 0)
                    {
                        ReadOnlySpan<float> l = logits.AsSpan(r * vocab, vocab);
                        int token = request.Choose(l, s.Tokens);
                        s.Tokens.Add(token);
                        s.LogProbabilities.Add(Sampling.LogSoftmaxAt(l, token));
                        s.Stopped = request.StopTokens.Contains(token);
                        if (!s.Stopped && s.Tokens.Count < request.MaxNewTokens
                            && s.Node.EndPosition < _model.Config.ContextLength)
                        {
                            active.Add(s);
                            continue;
                        }
                    }

                    s.Job.Finish(s);
                }
            }
            catch (Exception e)
            {
                // A failed pass fails every job that had a sequence in it; the batcher carries on.
                foreach (Job job in rows.Select(s => s.Job).Concat(joining).Distinct())
                {
                    job.Source.TrySetException(e);
                }

                active.Clear();
            }
            finally
            {
                if (logits is not null)
                {
                    ArrayPool<float>.Shared.Return(logits);
                }
            }
        }
    }

    private sealed class Job(IReadOnlyList<GenerationRequest> requests, CancellationToken cancel)
    {
        private int _remaining = requests.Count;

        public IReadOnlyList<GenerationRequest> Requests { get; } = requests;

        public CancellationToken Cancel { get; } = cancel;

        public GenerationResult[] Results { get; } = new GenerationResult[requests.Count];

        public TaskCompletionSource<IReadOnlyList<GenerationResult>> Source { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Finish(Sequence s)
        {
            Results[s.Index] = new GenerationResult([.. s.Tokens], [.. s.LogProbabilities], s.Stopped, s.Node);
            if (--_remaining == 0)
            {
                Source.TrySetResult(Results);
            }
        }
    }

    private sealed class Sequence(Job job, int index, KvNode node)
    {
        public Job Job { get; } = job;

        public int Index { get; } = index;

        public KvNode Node { get; } = node;

        public List<int> Tokens { get; } = [];

        public List<double> LogProbabilities { get; } = [];

        public bool Stopped { get; set; }
    }
}

/// <summary>The batcher's queue is full: the caller should back off and retry (HTTP 429).</summary>
public sealed class BatcherFullException(int capacity)
    : Exception($"the decode queue is full ({capacity} jobs waiting); retry shortly")
{
    public int Capacity { get; } = capacity;
}
