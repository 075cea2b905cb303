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
