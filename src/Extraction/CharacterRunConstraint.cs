using PaDeLLM.Model.Inference;
using PaDeLLM.Model.Kernels;
using PaDeLLM.Tokenizers;

namespace PaDeLLM.Extraction;

/// <summary>
/// For tokenizers whose pieces cross word edges (a mention alone may tokenize unlike its text):
/// the next token is the most probable of the <see cref="Candidates"/> best whose addition keeps
/// the decoded mention a substring of the text (leading whitespace and an unfinished UTF-8
/// character aside), or (after at least one token) a stop token; a stop token when none does.
/// With <see cref="CopyEnding.StopMass"/> the mention ends, where it may, exactly when the stop
/// tokens hold more than half the probability, and otherwise goes on with the best allowed token.
/// A mention may not start at <paramref name="barredStarts"/> (character positions in the text).
/// </summary>
public sealed class CharacterRunConstraint(
    string text, ITokenizer tokenizer, IReadOnlySet<int> stops, CopyEnding ending = CopyEnding.StopMass,
    IReadOnlySet<int>? barredStarts = null)
    : ITokenConstraint
{
    /// <summary>How many of the most probable tokens are tried before the mention is ended.</summary>
    public const int Candidates = 256;

    public int Choose(ReadOnlySpan<float> logits, IReadOnlyList<int> generated)
    {
        int stop = Sampling.ArgmaxOf(logits, stops);
        bool byMass = ending == CopyEnding.StopMass;
        if (byMass && generated.Count > 0 && Sampling.MassOf(logits, stops) > 0.5 && Allowed(stop, generated))
        {
            return stop;
        }

        int first = Sampling.Argmax(logits);
        if (Allowed(first, generated) && !(byMass && stops.Contains(first)))
        {
            return first;
        }

        foreach (int token in Best(logits, generated.Count == 0 ? logits.Length : Candidates))
        {
            if (Allowed(token, generated) && !(byMass && stops.Contains(token)))
            {
                return token;
            }
        }

        return stop;
    }

    private bool Allowed(int token, IReadOnlyList<int> generated)
    {
        if (stops.Contains(token))
        {
            string whole = tokenizer.Decode(generated).TrimStart();
            return whole.Length > 0 && OccursAtFreeStart(whole);
        }

        string mention = tokenizer.Decode([.. generated, token]).TrimStart();
        if (mention.EndsWith('\uFFFD'))
        {
            // Part of a character's bytes: the mention so far must be followed by a non-ASCII character.
            string before = mention.TrimEnd('\uFFFD');
            for (int at = text.IndexOf(before, StringComparison.Ordinal); at >= 0 && at + before.Length < text.Length;
                at = text.IndexOf(before, at + 1, StringComparison.Ordinal))
            {
                if (text[at + before.Length] > '\u007F' && barredStarts?.Contains(at) != true)
                {
                    return true;
                }
            }

            return false;
        }

        return mention.Length > 0 && OccursAtFreeStart(mention);
    }

    private bool OccursAtFreeStart(string mention)
    {
        for (int at = text.IndexOf(mention, StringComparison.Ordinal); at >= 0;
            at = text.IndexOf(mention, at + 1, StringComparison.Ordinal))
        {
            if (barredStarts?.Contains(at) != true)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The <paramref name="k"/> highest logits' tokens, best first.</summary>
    private static int[] Best(ReadOnlySpan<float> logits, int k)
    {
        var heap = new PriorityQueue<int, float>(k + 1);
        for (int i = 0; i < logits.Length; i++)
        {
            if (heap.Count < k)
            {
                heap.Enqueue(i, logits[i]);
            }
            else if (logits[i] > logits[heap.Peek()])
            {
                heap.EnqueueDequeue(i, logits[i]);
            }
        }

        var best = new int[heap.Count];
        for (int i = best.Length - 1; i >= 0; i--)
        {
            best[i] = heap.Dequeue();
        }

        return best;
    }
}
