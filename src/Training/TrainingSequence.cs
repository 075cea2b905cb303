namespace PaDeLLM.Training;

/// <summary>
/// One packed training row: tokens with their position ids and visibility mask (causal for a
/// plain sequence; a tree for prefix-shared PaDeLLM examples), and for each token the weighted
/// next tokens it must predict. A token where the tree branches predicts one target per branch,
/// and a token shared by several examples carries their summed weight, so a packed row has the
/// loss and gradients of its examples trained one by one.
/// </summary>
public sealed record TrainingSequence(int[] Tokens, int[] Positions, bool[] Visible,
    (int Target, float Weight)[][] Targets)
{
    public int Length => Tokens.Length;

    public double TotalWeight => Targets.Sum(t => t.Sum(x => (double)x.Weight));

    /// <summary>A plain sequence: token t predicts token t+1 where <paramref name="predictNext"/>[t].</summary>
    public static TrainingSequence Causal(int[] tokens, bool[] predictNext) =>
        Causal(tokens, predictNext.Select(p => p ? 1f : 0f).ToArray());

    /// <summary>
    /// A plain sequence: token t predicts token t+1 with weight <paramref name="weights"/>[t] (0: no loss there).
    /// </summary>
    public static TrainingSequence Causal(int[] tokens, float[] weights)
    {
        int n = tokens.Length;
        var targets = new (int, float)[n][];
        for (int t = 0; t < n; t++)
        {
            targets[t] = t + 1 < n && weights[t] > 0 ? [(tokens[t + 1], weights[t])] : [];
        }

        return new TrainingSequence(tokens, Enumerable.Range(0, n).ToArray(), Layers.AttentionLayer.Causal(n), targets);
    }
}
