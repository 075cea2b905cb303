using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Prompts;

namespace PaDeLLM.Ner.Training;

/// <summary>
/// Prompts of the autoregressive baselines: the same text header as PaDeLLM, then a header
/// naming the output form, so all three formats see the text the same way.
/// </summary>
public static class AutoregPrompt
{
    public static string Struct(string text, PromptLanguage language) =>
        PromptTemplate.For(language).TextHeader + text
            + (language == PromptLanguage.Chinese ? "\n实体:\n" : "\nentities:\n");

    public static string Aug(string text, PromptLanguage language) =>
        PromptTemplate.For(language).TextHeader + text
            + (language == PromptLanguage.Chinese ? "\n标注文本:\n" : "\nannotated text:\n");
}
