namespace PaDeLLM.Training;

/// <summary>Optimisation settings of a <see cref="Trainer"/> run.</summary>
public sealed record TrainerOptions
{
    public int Steps { get; init; } = 1000;

    public int BatchSize { get; init; } = 16;

    public double LearningRate { get; init; } = 3e-3;

    public int WarmupSteps { get; init; } = 50;

    public double MinLearningRateRatio { get; init; } = 0.1;

    public double WeightDecay { get; init; } = 0.1;

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.95;

    public double ClipNorm { get; init; } = 1.0;

    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Residual dropout (<see cref="TrainableDecoder.Dropout"/>); each step's masks come from the seed and the step.
    /// </summary>
    public float Dropout { get; init; }
}
