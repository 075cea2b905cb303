using PaDeLLM.Model.Decoder;

namespace PaDeLLM.Model.Inference;

/// <summary>
/// Before sibling prompts are prefilled, their common leading tokens are moved into shared
/// nodes (a radix tree over the prompts of requests with the same parent), so that e.g.
/// <c>PER.NAM</c>/<c>PER.NOM</c> or <c>&lt;mention 1&gt;</c>/<c>&lt;mention 2&gt;</c> compute
/// their shared tokens once. Each request keeps at least its last prompt token, whose logits
/// start its generation.
/// </summary>
internal static class SharedPrefixPlanner
{
    /// <summary>Where each request's own branch hangs, and which prompt tokens remain for it.</summary>
    public readonly record struct Placement(KvNode Parent, int[] Suffix);

    public static Placement[] Plan(IReadOnlyList<GenerationRequest> requests, Action<IReadOnlyList<Segment>> prefill)
    {
        var placements = new Placement[requests.Count];
        var offsets = new int[requests.Count];

        // Work items of one tree level: requests sharing a parent, all at the same prompt offset.
        var level = requests
            .Select((r, i) => (r.Parent, Index: i))
            .GroupBy(x => x.Parent, ReferenceEqualityComparer.Instance)
            .Select(g => ((KvNode)g.Key!, g.Select(x => x.Index).ToList()))
            .ToList();

        while (level.Count > 0)
        {
            var next = new List<(KvNode, List<int>)>();
            var segments = new List<Segment>();
            foreach ((KvNode parent, List<int> members) in level)
            {
                // Requests whose next token is shared with a sibling go down a shared edge.
                foreach (var group in members.GroupBy(i =>
                    offsets[i] < requests[i].Prompt.Length - 1 && !requests[i].BidirectionalPrompt
                        ? requests[i].Prompt[offsets[i]]
                        : -1 - i))
                {
                    List<int> g = group.ToList();
                    if (g.Count == 1 || group.Key < 0)
                    {
                        foreach (int i in g)
                        {
                            placements[i] = new Placement(parent, requests[i].Prompt[offsets[i]..]);
                        }

                        continue;
                    }

                    int run = CommonRun(requests, g, offsets);
                    int[] edge = requests[g[0]].Prompt[offsets[g[0]]..(offsets[g[0]] + run)];
                    KvNode shared = parent.Branch();
                    segments.Add(new Segment(shared, edge));
                    foreach (int i in g)
                    {
                        offsets[i] += run;
                    }

                    next.Add((shared, g));
                }
            }

            if (segments.Count > 0)
            {
                prefill(segments);
            }

            level = next;
        }

        return placements;
    }

    // Length of the common token run of the group from its offset, leaving each prompt its last token.
    private static int CommonRun(IReadOnlyList<GenerationRequest> requests, List<int> group, int[] offsets)
    {
        int[] first = requests[group[0]].Prompt;
        int start = offsets[group[0]];
        int run = 0;
        while (true)
        {
            int p = start + run;
            foreach (int i in group)
            {
                if (p >= requests[i].Prompt.Length - 1 || requests[i].Prompt[p] != first[p])
                {
                    return run;
                }
            }

            run++;
        }
    }
}
