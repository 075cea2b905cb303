using PaDeLLM.Model.Numerics;

namespace PaDeLLM.Model.Kernels;

/// <summary>Gathers embedding rows for token ids (widening BF16 tables to F32).</summary>
public static class Embedding
{
    public static void Forward(Span<float> output, in Weight table, ReadOnlySpan<int> ids)
    {
        int d = table.Cols;
        for (int t = 0; t < ids.Length; t++)
        {
            int id = ids[t];
            if ((uint)id >= (uint)table.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id,
                    $"token id {id} is outside the vocabulary of {table.Rows}");
            }

            table.ReadRow(id, output.Slice(t * d, d));
        }
    }
}
