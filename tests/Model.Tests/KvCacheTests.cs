using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Model.Numerics;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Model.Tests;

/// <summary>The prefix tree's rules and the generator's contract, on a small random model.</summary>
public sealed class KvCacheTests : IDisposable
{
    private readonly DecoderModel _model = new(DecoderWeights.Random(new Checkpoints.ModelConfig
    {
        Architecture = "LlamaForCausalLM",
        HiddenSize = 32,
        IntermediateSize = 48,
        Layers = 2,
        Heads = 4,
        KvHeads = 2,
        HeadDim = 8,
        VocabSize = 50,
        MaxPositions = 64,
    }, DType.BF16, seed: 5));

    public void Dispose() => _model.Dispose();

    [Fact]
    public void Positions_continue_from_the_parent_and_a_branched_node_is_frozen()
    {
        KvNode root = _model.NewCache().CreateRoot();
        _model.Forward([new Segment(root, [1, 2, 3])]);
        KvNode a = root.Branch();
        Assert.Equal(3, a.StartPosition);
        Assert.True(root.IsFrozen);
        var e = Assert.Throws<InvalidOperationException>(() => _model.Forward([new Segment(root, [4])]));
        Assert.Contains("branch it instead", e.Message);
        _model.Forward([new Segment(a, [4, 5])]);
        Assert.Equal([1, 2, 3, 4, 5], a.AllTokens());
        Assert.Equal(5, a.EndPosition);
    }

    [Fact]
    public void Bad_segments_are_rejected_before_any_work()
    {
        KvCache cache = _model.NewCache();
        KvNode n = cache.CreateRoot();
        Assert.Contains("same node",
            Assert.Throws<ArgumentException>(() => _model.Forward([new Segment(n, [1]), new Segment(n, [2])])).Message);
        Assert.Contains("no tokens",
            Assert.Throws<ArgumentException>(() => _model.Forward([new Segment(n, [])])).Message);
        Assert.Contains("outside the vocabulary",
            Assert.Throws<ArgumentOutOfRangeException>(() => _model.Forward([new Segment(n, [50])])).Message);
        Assert.Contains("max_position_embeddings",
            Assert.Throws<ArgumentException>(() => _model.Forward([new Segment(n, new int[65])])).Message);
        Assert.Equal(0, n.Length); // nothing was appended by the failed calls
        using var other = new DecoderModel(DecoderWeights.Random(_model.Config with { Layers = 1 }, DType.F32, 1));
        Assert.Contains("another model",
            Assert.Throws<ArgumentException>(() => other.Forward([new Segment(n, [1])])).Message);
    }

    [Fact]
    public void A_sequence_leaves_the_batch_at_its_stop_token_and_others_go_on()
    {
        var gen = new GreedyGenerator(_model);
        KvNode root = _model.NewCache().CreateRoot();
        // Find what the model says first after [7], then make that a stop token for one request only.
        int first = gen.Generate(
            [new GenerationRequest(_model.NewCache().CreateRoot(), [7], 1, GenerationRequest.NoStop)])[0].Tokens[0];
        var results = gen.Generate([
            new GenerationRequest(root, [7], 10, new HashSet<int> { first }),
            new GenerationRequest(root, [7], 10, GenerationRequest.NoStop),
        ]);
        Assert.True(results[0].Stopped);
        Assert.Equal([first], results[0].Tokens);
        Assert.False(results[1].Stopped);
        Assert.Equal(10, results[1].Tokens.Length);
        Assert.Equal(results[1].LogProbabilities.Sum(), results[1].ContentLogProbability, 12);
        Assert.Equal(0, results[0].ContentLogProbability); // the stop token's probability is excluded
        Assert.Contains("empty prompt",
            Assert.Throws<ArgumentException>(() =>
            gen.Generate([new GenerationRequest(root, [], 3, GenerationRequest.NoStop)])).Message);
    }

    [Fact]
    public void Truncating_a_leaf_rolls_it_back_exactly()
    {
        KvNode a = _model.NewCache().CreateRoot();
        float[] first = _model.Forward([new Segment(a, [1, 2, 3, 4])]);
        _model.Forward([new Segment(a, [9, 9])]);
        a.Truncate(3);
        Assert.Equal([1, 2, 3], a.AllTokens());
        float[] again = _model.Forward([new Segment(a, [4])]);
        // Position 3 recomputed over the same cached 0..2 (a 1-row product now, a 4-row one before).
        Assert.All(first.Zip(again), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5f));
        a.Branch();
        Assert.Throws<InvalidOperationException>(() => a.Truncate(1));
    }

    [Fact]
    public void Chunked_kv_gives_the_logits_of_one_prefill_whatever_the_chunk_size()
    {
        // Reference: the whole sequence in one pass on a cache whose chunks hold it all.
        int[] tokens = Enumerable.Range(0, 40).Select(i => (i * 7 + 3) % 50).ToArray();
        var whole = new KvCache(_model.Config.Layers, _model.Config.KvDim, chunkTokens: 64);
        float[] expected = _model.Forward([new Segment(whole.CreateRoot(), tokens)], allPositions: true);
        int vocab = _model.Config.VocabSize;
        foreach (int chunk in new[] { 1, 3, 16 })
        {
            // The same tokens as a prefill of 11, a branch, then one token a pass: positions cross chunk edges.
            var cache = new KvCache(_model.Config.Layers, _model.Config.KvDim, chunk);
            KvNode root = cache.CreateRoot();
            float[] got = _model.Forward([new Segment(root, tokens[..11])], allPositions: true);
            KvNode leaf = root.Branch();
            var all = new List<float>(got);
            foreach (int t in tokens[11..])
            {
                all.AddRange(_model.Forward([new Segment(leaf, [t])]));
            }

            Assert.Equal(expected.Length, all.Count);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - all[i]) <= 1e-4f,
                    $"chunk {chunk}: logit {i % vocab} of position {i / vocab}");
            }

            // Each node holds its positions plus less than one chunk (at least 16 positions are allocated at once).
            long perPosition = 2L * _model.Config.Layers * _model.Config.KvDim * sizeof(float);
            Assert.InRange(root.AllocatedBytes + leaf.AllocatedBytes,
                40 * perPosition, (40 + (2 * Math.Max(chunk, 16))) * perPosition);
        }
    }

    [Fact]
    public void Kv_memory_is_accounted_and_a_branched_node_keeps_only_its_positions()
    {
        KvCache cache = _model.NewCache();
        KvNode root = cache.CreateRoot();
        _model.Forward([new Segment(root, [1, 2, 3])]);
        long perPosition = 2L * _model.Config.Layers * _model.Config.KvDim * sizeof(float);
        Assert.True(root.AllocatedBytes >= 3 * perPosition);
        Assert.Equal(1, cache.Nodes);
        KvNode leaf = root.Branch();
        float[] before = _model.Forward([new Segment(leaf, [4])]);
        // The root trimmed to its 3 positions; the leaf has room for 16.
        Assert.Equal((3 + 16) * perPosition, root.AllocatedBytes + leaf.AllocatedBytes);
        KvNode again = root.Branch();
        Assert.Equal(before, _model.Forward([new Segment(again, [4])])); // the trimmed K/V reads the same
    }
}
