namespace PaDeLLM.Training;

/// <summary>
/// The element-wise mean of several models' weights (checkpoint averaging): models of one shape, such
/// as the ends of successive cosine cycles of one run, averaged into one that generalises better than
/// either (CoNLL-2003 dev +0.6 F1 for the second and third cycles of conll03-en; docs/results).
/// Sums in double, so the mean does not depend on the order of the models.
/// </summary>
public static class CheckpointAverage
{
    public static TrainableDecoder Of(IReadOnlyList<TrainableDecoder> models, IReadOnlyList<string>? names = null)
    {
        if (models.Count == 0)
        {
            throw new ArgumentException("no model to average", nameof(models));
        }

        TrainableDecoder first = models[0];
        string Name(int i) => names is not null && i < names.Count ? names[i] : $"model {i + 1}";
        for (int m = 1; m < models.Count; m++)
        {
            foreach ((string tensor, long[] shape) in first.Shapes)
            {
                if (!models[m].Shapes.TryGetValue(tensor, out long[]? other) || !other.SequenceEqual(shape))
                {
                    throw new FormatException(
                        $"{Name(m)}: tensor {tensor} is [{string.Join(", ", other ?? [])}], "
                        + $"{Name(0)} has [{string.Join(", ", shape)}]: only models of one shape average");
                }
            }

            if (models[m].Shapes.Count != first.Shapes.Count)
            {
                string extra = models[m].Shapes.Keys.First(k => !first.Shapes.ContainsKey(k));
                throw new FormatException($"{Name(m)}: tensor {extra} is not in {Name(0)}");
            }
        }

        var parameters = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach ((string tensor, float[] values) in first.Parameters)
        {
            var mean = new float[values.Length];
            for (int i = 0; i < mean.Length; i++)
            {
                double sum = 0;
                foreach (TrainableDecoder model in models)
                {
                    sum += model.Parameters[tensor][i];
                }

                mean[i] = (float)(sum / models.Count);
            }

            parameters[tensor] = mean;
        }

        return new TrainableDecoder(
            first.Config, parameters, first.Shapes.ToDictionary(s => s.Key, s => (long[])s.Value.Clone()));
    }
}
