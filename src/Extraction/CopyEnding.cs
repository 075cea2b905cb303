using PaDeLLM.Model.Kernels;

namespace PaDeLLM.Extraction;

/// <summary>How a copied mention decides between ending and going on with the text.</summary>
public enum CopyEnding
{
    /// <summary>
    /// The model's whole probability of ending (its stop tokens) against that of going on with any
    /// token: the mention ends when the stops hold more than half. A model that would go on with a
    /// token the text lacks still means "longer", so the text's best continuation is taken instead
    /// of a stop the model did not want (the default; docs/results, "Ending a copied mention").
    /// </summary>
    StopMass,

    /// <summary>The best stop token against the text's best continuation alone (the first rule).</summary>
    Argmax,
}

/// <summary>The probability mass a logits row puts on a set of tokens.</summary>
public static class TokenMass
{
    public static double Of(ReadOnlySpan<float> logits, IReadOnlySet<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        double mass = 0;
        foreach (int t in tokens)
        {
            mass += Math.Exp(Sampling.LogSoftmaxAt(logits, t));
        }

        return mass;
    }
}
