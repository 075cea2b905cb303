using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Model.Tests;

/// <summary>
/// PaDeLLM's tree — one text, a branch per label, a branch per (label, k) — decoded over the
/// shared-prefix cache must give what decoding every branch alone gives, while computing
/// each distinct prefix position exactly once.
/// </summary>
public class TreeDecodingTests
{
    [SharedDataTheory]
    [InlineData("llama-tiny")]
    [InlineData("qwen2-tiny-tied-bf16")]
    public void Tree_decoding_equals_independent_decoding_and_computes_each_prefix_once(string name)
    {
        Golden g = Golden.For(name);
        using DecoderModel model = DecoderModel.Load(g.Directory);
        var tree = new GreedyGenerator(model);
        KvCache cache = model.NewCache();

        int[] text = g.InputIds[0][..18];
        int[][] labelPrompts = [[5, 17, 9], [5, 23], [5, 31, 8, 40]];
        int[][] markers = [[60, 61], [60, 62]];
        var stop = new HashSet<int> { 2 };

        // Step 0: the text once.
        KvNode root = cache.CreateRoot();
        model.Forward([new Segment(root, text)]);

        // Step 1: every label branch at once (the "count"), 3 tokens each.
        var counts = tree.Generate(labelPrompts.Select(p => new GenerationRequest(root, p, 3, stop)).ToList());

        // Commit each count's last token, then step 2: every (label, k) branch at once.
        IReadOnlyList<KvNode> labelLeaves = tree.CommitLastTokens(counts);
        var mentionRequests = new List<(int Label, int K, GenerationRequest Request)>();
        for (int l = 0; l < counts.Count; l++)
        {
            for (int k = 0; k < markers.Length; k++)
            {
                mentionRequests.Add((l, k, new GenerationRequest(labelLeaves[l], markers[k], 5, stop)));
            }
        }

        var mentions = tree.Generate(mentionRequests.Select(m => m.Request).ToList());

        // Independently: each full sequence from scratch, one at a time.
        var alone = new GreedyGenerator(model);
        for (int l = 0; l < counts.Count; l++)
        {
            var solo = alone.Generate(
                [new GenerationRequest(model.NewCache().CreateRoot(), [.. text, .. labelPrompts[l]], 3, stop)])[0];
            AssertSame(solo, counts[l]);
        }

        var fullSequences = new List<int[]>();
        for (int i = 0; i < mentions.Count; i++)
        {
            (int l, int k, _) = mentionRequests[i];
            int[] prompt = [.. text, .. labelPrompts[l], .. counts[l].Tokens, .. markers[k]];
            var solo = alone.Generate([new GenerationRequest(model.NewCache().CreateRoot(), prompt, 5, stop)])[0];
            AssertSame(solo, mentions[i]);
            fullSequences.Add([.. prompt, .. mentions[i].Tokens[..^1]]); // the last token is sampled, never fed
        }

        // Each distinct prefix is one position the tree had to compute, and it computed no more.
        var trie = new HashSet<string>();
        foreach (int[] s in fullSequences.Concat(
            counts.Select((c, l) => (int[])[.. text, .. labelPrompts[l], .. c.Tokens])))
        {
            for (int n = 1; n <= s.Length; n++)
            {
                trie.Add(string.Join(',', s[..n]));
            }
        }

        long treeTokens = text.Length + tree.TokensProcessed;
        Assert.Equal(trie.Count, treeTokens);
        Assert.True(alone.TokensProcessed > 2 * treeTokens,
            $"independent decoding processed {alone.TokensProcessed} tokens, the tree {treeTokens}");
    }

    private static void AssertSame(GenerationResult expected, GenerationResult actual)
    {
        Assert.Equal(expected.Tokens, actual.Tokens);
        Assert.Equal(expected.Stopped, actual.Stopped);
        for (int i = 0; i < expected.Tokens.Length; i++)
        {
            Assert.True(Math.Abs(expected.LogProbabilities[i] - actual.LogProbabilities[i]) <= 1e-4,
                $"token {i}: {expected.LogProbabilities[i]} vs {actual.LogProbabilities[i]}");
        }
    }
}
