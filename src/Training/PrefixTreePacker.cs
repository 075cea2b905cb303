namespace PaDeLLM.Training;

/// <summary>
/// Packs examples that share prefixes — PaDeLLM's Σ max(1, n) examples of one sentence share the
/// text, a label's examples share the label and count — into one row: a trie of their tokens,
/// each token seeing only its ancestors, positions continuing from the branch point. Each
/// shared token is computed once instead of once per example.
/// </summary>
public static class PrefixTreePacker
{
    /// <summary>Examples whose marked tokens each predict their next token with weight 1.</summary>
    public static TrainingSequence Pack(IEnumerable<(int[] Tokens, bool[] PredictNext)> examples) =>
        Pack(examples.Select(e => (e.Tokens, e.PredictNext.Select(p => p ? 1f : 0f).ToArray())));

    /// <summary>
    /// Examples whose token t predicts token t+1 with weight[t] (0: no loss there); a shared token sums its
    /// examples' weights. The first <paramref name="bidirectionalPrefix"/> tokens, which every example must
    /// share (a prefix LM's text), see each other; none of them but the last predicts a token, which it would see.
    /// </summary>
    public static TrainingSequence Pack(
        IEnumerable<(int[] Tokens, float[] Weights)> examples, int bidirectionalPrefix = 0)
    {
        var tokens = new List<int>();
        var parents = new List<int>();
        var depth = new List<int>();
        var children = new List<Dictionary<int, int>>();
        var targets = new List<Dictionary<int, float>>();
        var roots = new Dictionary<int, int>();

        foreach ((int[] seq, float[] weight) in examples)
        {
            int node = -1;
            for (int t = 0; t < seq.Length; t++)
            {
                Dictionary<int, int> next = node < 0 ? roots : children[node];
                if (!next.TryGetValue(seq[t], out int child))
                {
                    child = tokens.Count;
                    tokens.Add(seq[t]);
                    parents.Add(node);
                    depth.Add(node < 0 ? 0 : depth[node] + 1);
                    children.Add([]);
                    targets.Add([]);
                    next[seq[t]] = child;
                }

                node = child;
                if (t + 1 < seq.Length && weight[t] > 0)
                {
                    targets[node][seq[t + 1]] = targets[node].GetValueOrDefault(seq[t + 1]) + weight[t];
                }
            }
        }

        int n = tokens.Count;
        var visible = new bool[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = i; j >= 0; j = parents[j])
            {
                visible[(i * n) + j] = true;
            }
        }

        // The shared prefix is the trie's first nodes, a chain; one root only, or an example lacks it.
        int m = bidirectionalPrefix;
        if (m > 0 && (roots.Count != 1 || n < m || Enumerable.Range(1, m - 1).Any(i => parents[i] != i - 1
            || children[i - 1].Count != 1)))
        {
            throw new ArgumentException(
                $"the examples do not all share their first {m} tokens", nameof(bidirectionalPrefix));
        }

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < m; j++)
            {
                visible[(i * n) + j] = true;
            }

            if (i < m - 1)
            {
                targets[i].Clear();
            }
        }

        return new TrainingSequence(
            [.. tokens],
            [.. depth],
            visible,
            targets.Select(d => d.Select(kv => (kv.Key, kv.Value)).ToArray()).ToArray());
    }
}
