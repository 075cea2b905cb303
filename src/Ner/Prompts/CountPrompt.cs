using PaDeLLM.Ner.Labels;

namespace PaDeLLM.Ner.Prompts;

/// <summary>
/// Step 1 of PaDeLLM: asks how many mentions of one label a text has.
/// <c>text:\n{TEXT}\nentity type:\n{LABEL}\n\n&lt;num&gt;</c>; the model answers <c>{n}\n</c> or <c>0</c>+EOS.
/// </summary>
public static class CountPrompt
{
    public static string Build(string text, EntityLabel label, PromptLanguage language)
    {
        PromptTemplate t = PromptTemplate.For(language);
        return string.Concat(t.TextHeader, text, t.LabelHeader, label.PromptName, t.CountMarker);
    }

    /// <summary>
    /// Recovers the text and the label's prompt name from a count prompt. Parsed from the end,
    /// because a text may itself contain the header words.
    /// </summary>
    public static bool TryParse(string prompt, PromptLanguage language, out string text, out string labelPromptName)
    {
        PromptTemplate t = PromptTemplate.For(language);
        text = labelPromptName = "";
        if (!prompt.StartsWith(t.TextHeader, StringComparison.Ordinal)
            || !prompt.EndsWith(t.CountMarker, StringComparison.Ordinal))
        {
            return false;
        }

        string body = prompt[..^t.CountMarker.Length];
        int header = body.LastIndexOf(t.LabelHeader, StringComparison.Ordinal);
        if (header < t.TextHeader.Length)
        {
            return false;
        }

        labelPromptName = body[(header + t.LabelHeader.Length)..];
        text = body[t.TextHeader.Length..header];
        return labelPromptName.Length > 0 && !labelPromptName.Contains('\n');
    }
}
