namespace PaDeLLM.Tokenizers.Bpe;

/// <summary>
/// The BPE merge loop shared by both families: repeatedly merge the adjacent pair with the best
/// priority (lowest merge rank for HF files, highest piece score for SentencePiece), the leftmost
/// on ties, until no pair can merge. A heap with lazy invalidation keeps it O(n log n).
/// </summary>
public static class BpeMerger
{
    /// <param name="symbols">Initial symbols (characters, or atomic pieces).</param>
    /// <param name="priority">For a pair, its priority (smaller merges first), or null if it cannot merge.</param>
    /// <param name="atomic">Symbols that never merge (user-defined pieces).</param>
    public static List<string> Merge(List<string> symbols, Func<string, string, double?> priority,
        IReadOnlySet<int>? atomic = null)
    {
        int n = symbols.Count;
        if (n < 2)
        {
            return symbols;
        }

        string[] sym = [.. symbols];
        int[] prev = new int[n], next = new int[n], version = new int[n];
        bool[] alive = new bool[n];
        for (int i = 0; i < n; i++)
        {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            alive[i] = true;
        }

        var heap = new PriorityQueue<(int Left, int Right, int LeftVersion, int RightVersion), (double, int)>();
        void Push(int left, int right)
        {
            if (left < 0 || right < 0 || (atomic is not null && (atomic.Contains(left) || atomic.Contains(right))))
            {
                return;
            }

            if (priority(sym[left], sym[right]) is double p)
            {
                heap.Enqueue((left, right, version[left], version[right]), (p, left));
            }
        }

        for (int i = 0; i + 1 < n; i++)
        {
            Push(i, i + 1);
        }

        while (heap.TryDequeue(out var e, out _))
        {
            if (!alive[e.Left] || !alive[e.Right] || next[e.Left] != e.Right || version[e.Left] != e.LeftVersion
                || version[e.Right] != e.RightVersion)
            {
                continue; // stale: one side has merged since
            }

            sym[e.Left] += sym[e.Right];
            version[e.Left]++;
            alive[e.Right] = false;
            next[e.Left] = next[e.Right];
            if (next[e.Right] >= 0)
            {
                prev[next[e.Right]] = e.Left;
            }

            Push(prev[e.Left], e.Left);
            Push(e.Left, next[e.Left]);
        }

        var result = new List<string>();
        for (int i = 0; i >= 0; i = next[i])
        {
            result.Add(sym[i]);
        }

        return result;
    }
}
