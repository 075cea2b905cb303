using System.Buffers;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Kernels;

namespace PaDeLLM.Model.Inference;

/// <summary>
/// Batched greedy decoding over the prefix tree. All requests' prompts are prefilled in one
/// forward pass; then each step feeds every unfinished sequence its last token in one pass,
/// and a sequence leaves the batch the moment it emits a stop token or reaches its limit —
/// unlike padded batch generation, where finished rows keep decoding.
/// </summary>
public sealed class GreedyGenerator(DecoderModel model)
{
    public DecoderModel Model { get; } = model;

    /// <summary>Forward passes run and tokens processed (prompt + generated), for benchmarks and metrics.</summary>
    public long Steps { get; private set; }

    public long TokensProcessed { get; private set; }

    public IReadOnlyList<GenerationResult> Generate(IReadOnlyList<GenerationRequest> requests)
    {
        int n = requests.Count;
        if (n == 0)
        {
            return [];
        }

        GenerationRequest.Admit(requests, Model.Config.ContextLength);

        SharedPrefixPlanner.Placement[] placements = SharedPrefixPlanner.Plan(requests, s => Run(s, []));
        var nodes = new KvNode[n];
        var active = new List<int>(n);
        var segments = new List<Segment>(n);
        for (int i = 0; i < n; i++)
        {
            nodes[i] = placements[i].Parent.Branch();
            if (requests[i].MaxNewTokens > 0)
            {
                active.Add(i);
            }

            segments.Add(new Segment(nodes[i], placements[i].Suffix, requests[i].BidirectionalPrompt));
        }

        int vocab = Model.Config.VocabSize;

        // On the GPU backend, unconstrained sequences pick their tokens on the device: only the choices
        // come back, not rows of logits (a constraint reads the whole row on the host).
        _onDevice = Model.Gpu is not null && requests.All(r => r.Constraint is null);
        _chosen = new int[n];
        _chosenLogProbs = new double[n];
        float[] logits = ArrayPool<float>.Shared.Rent(n * vocab); // rows never outnumber the requests
        try
        {
            Run(segments, logits);
            return Decode(requests, nodes, active, segments, logits);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(logits);
        }
    }

    private GenerationResult[] Decode(
        IReadOnlyList<GenerationRequest> requests, KvNode[] nodes, List<int> active, List<Segment> segments,
        float[] logits)
    {
        int n = requests.Count, vocab = Model.Config.VocabSize;
        var tokens = new List<int>[n];
        var logProbs = new List<double>[n];
        var stopped = new bool[n];
        for (int i = 0; i < n; i++)
        {
            tokens[i] = [];
            logProbs[i] = [];
        }

        // the first pass has a row per request; later passes a row per active sequence, in order
        bool prefillStep = true;
        while (true)
        {
            var next = new List<int>(active.Count);
            segments.Clear();
            for (int a = 0; a < active.Count; a++)
            {
                int i = active[a];
                int row = prefillStep ? i : a;
                int token;
                if (_onDevice)
                {
                    token = _chosen[row];
                    logProbs[i].Add(_chosenLogProbs[row]);
                }
                else
                {
                    ReadOnlySpan<float> l = logits.AsSpan(row * vocab, vocab);
                    token = requests[i].Choose(l, tokens[i]);
                    logProbs[i].Add(Sampling.LogSoftmaxAt(l, token));
                }

                tokens[i].Add(token);
                if (requests[i].StopTokens.Contains(token))
                {
                    stopped[i] = true;
                }
                else if (tokens[i].Count < requests[i].MaxNewTokens
                    && nodes[i].EndPosition < Model.Config.ContextLength)
                {
                    next.Add(i);
                    segments.Add(new Segment(nodes[i], [token]));
                }
            }

            if (next.Count == 0)
            {
                break;
            }

            active = next;
            prefillStep = false;
            Run(segments, logits);
        }

        return Enumerable.Range(0, n)
            .Select(i => new GenerationResult([.. tokens[i]], [.. logProbs[i]], stopped[i], nodes[i]))
            .ToArray();
    }

    /// <summary>
    /// Caches each result's last sampled token (in one batched pass) and returns the nodes that
    /// now hold the whole sequence: PaDeLLM branches its mention prompts from these, so the
    /// count's tokens are computed once for all k.
    /// </summary>
    public IReadOnlyList<KvNode> CommitLastTokens(IReadOnlyList<GenerationResult> results)
    {
        var leaves = results.Select(r => r.Node.Branch()).ToArray();
        Prefill(results.Select((r, i) => new Segment(leaves[i], [r.Tokens[^1]])).ToList());
        return leaves;
    }

    /// <summary>Appends tokens to nodes without sampling (e.g. commit a generated token before branching).</summary>
    public void Prefill(IReadOnlyList<Segment> segments)
    {
        if (segments.Count > 0)
        {
            Run(segments, []);
        }
    }

    private void Run(IReadOnlyList<Segment> segments, Span<float> logits)
    {
        Steps++;
        TokensProcessed += segments.Sum(s => s.Tokens.Length);
        if (_onDevice && !logits.IsEmpty)
        {
            Model.ForwardGreedy(segments, _chosen, _chosenLogProbs);
        }
        else
        {
            Model.Forward(segments, logits);
        }
    }

    private bool _onDevice;
    private int[] _chosen = [];
    private double[] _chosenLogProbs = [];
}
