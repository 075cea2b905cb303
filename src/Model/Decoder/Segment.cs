namespace PaDeLLM.Model.Decoder;

/// <summary>
/// Tokens to append to a node in one forward pass; they take positions node.EndPosition, +1, ….
/// <paramref name="Bidirectional"/>: each of them attends to all of the segment's tokens (a prefix LM's
/// text, <see cref="Checkpoints.ModelConfig.BidirectionalText"/>), not only to those before it.
/// </summary>
public readonly record struct Segment(KvNode Node, int[] Tokens, bool Bidirectional = false);
