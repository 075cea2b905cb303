using PaDeLLM.Model.Inference;
using PaDeLLM.Model.Kernels;

namespace PaDeLLM.Extraction;

/// <summary>
/// A mention's tokens must be a contiguous run of the text's token ids: the next token is one
/// that follows an occurrence of the tokens so far, or (after at least one) a stop token. A run
/// starts and ends on a character's edge: byte-fallback pieces of one character stay together.
/// Where both are possible, <paramref name="ending"/> decides between ending and going on.
/// </summary>
/// <param name="source">The text's token ids.</param>
/// <param name="stops">The tokens that end a mention.</param>
/// <param name="insideCharacter">Per vocabulary id: a piece that continues a character (a UTF-8
/// continuation byte), before which a mention may neither start nor end.</param>
/// <param name="ending">How the choice between a stop and the text's best continuation is made.</param>
/// <param name="barredStarts">Token positions a run may not start at: the occurrences of strings a mention must
/// not repeat (<see cref="CopyDecoding.For(string, Ner.Algorithm.RepeatBars?)"/>).</param>
public sealed class TokenRunConstraint(
    int[] source, IReadOnlySet<int> stops, IReadOnlyList<bool>? insideCharacter = null,
    CopyEnding ending = CopyEnding.StopMass, IReadOnlySet<int>? barredStarts = null)
    : ITokenConstraint
{
    public int Choose(ReadOnlySpan<float> logits, IReadOnlyList<int> generated)
    {
        int best = -1, length = generated.Count;
        bool mayEnd = false;
        for (int start = 0; start + length <= source.Length; start++)
        {
            if ((length == 0 && Inside(start)) || barredStarts?.Contains(start) == true || !Occurs(start, generated))
            {
                continue;
            }

            int at = start + length;
            mayEnd |= length > 0 && !Inside(at);
            if (at < source.Length && (best < 0 || logits[source[at]] > logits[best]))
            {
                best = source[at];
            }
        }

        if (!mayEnd && best >= 0)
        {
            return best;
        }

        int stop = Sampling.ArgmaxOf(logits, stops);
        bool end = best < 0 || (ending == CopyEnding.StopMass
            ? Sampling.MassOf(logits, stops) > 0.5
            : logits[stop] > logits[best]);
        return end ? stop : best;
    }

    private bool Inside(int position) =>
        position < source.Length && insideCharacter is not null && insideCharacter[source[position]];

    private bool Occurs(int start, IReadOnlyList<int> generated)
    {
        for (int i = 0; i < generated.Count; i++)
        {
            if (source[start + i] != generated[i])
            {
                return false;
            }
        }

        return true;
    }
}
