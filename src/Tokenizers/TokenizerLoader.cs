using PaDeLLM.Tokenizers.HuggingFace;
using PaDeLLM.Tokenizers.SentencePiece;

namespace PaDeLLM.Tokenizers;

/// <summary>
/// Opens the tokenizer of a model directory: tokenizer.json if present, else tokenizer.model; or a file path directly.
/// </summary>
public static class TokenizerLoader
{
    public static ITokenizer Load(string path)
    {
        if (File.Exists(path))
        {
            return path.EndsWith(".model", StringComparison.OrdinalIgnoreCase) ? SentencePieceTokenizer.Load(path)
                : HfTokenizer.Load(path);
        }

        if (!Directory.Exists(path))
        {
            throw new TokenizerException($"{path}: no such tokenizer file or directory");
        }

        string json = Path.Combine(path, "tokenizer.json");
        string model = Path.Combine(path, "tokenizer.model");
        return File.Exists(json) ? HfTokenizer.Load(json)
            : File.Exists(model) ? SentencePieceTokenizer.Load(model)
            : throw new TokenizerException($"{path}: no tokenizer.json or tokenizer.model");
    }
}
