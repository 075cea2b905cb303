using PaDeLLM.Ner.Labels;
using PaDeLLM.Ner.Prompts;
using Xunit;

namespace PaDeLLM.Ner.Tests;

/// <summary>The prompts exactly as the method defines them (DEVELOPERS.md; the paper's code).</summary>
public class PromptTests
{
    private static readonly EntityLabel Per = new("PER", "PER");
    private static readonly EntityLabel Name = new("NAME", "名称");

    [Fact]
    public void English_count_and_mention_prompts()
    {
        Assert.Equal("text:\nJohn lives in Paris .\nentity type:\nPER\n\n<num>",
            CountPrompt.Build("John lives in Paris .", Per, PromptLanguage.English));
        Assert.Equal("text:\nJohn and Ann .\nentity type:\nPER\n\n<num>2\n<mention 2>",
            MentionPrompt.Build("John and Ann .", Per, PromptLanguage.English, 2, 2));
    }

    [Fact]
    public void Chinese_count_and_mention_prompts()
    {
        Assert.Equal("文本:\n高勇：男\n指定NER标签:\n名称\n\n<数量>", CountPrompt.Build("高勇：男", Name, PromptLanguage.Chinese));
        Assert.Equal("文本:\n高勇：男\n指定NER标签:\n名称\n\n<数量>1\n<第1文段>",
            MentionPrompt.Build("高勇：男", Name, PromptLanguage.Chinese, 1, 1));
    }

    [Fact]
    public void A_mention_prompt_extends_its_count_prompt()
    {
        string count = CountPrompt.Build("a b", Per, PromptLanguage.English);
        Assert.StartsWith(count, MentionPrompt.Build("a b", Per, PromptLanguage.English, 3, 1));
    }

    [Fact]
    public void Count_prompts_parse_back_even_when_the_text_contains_the_headers()
    {
        string text = "weird\nentity type:\nORG\n\n<num> text";
        Assert.True(CountPrompt.TryParse(CountPrompt.Build(text, Per, PromptLanguage.English), PromptLanguage.English,
            out string t, out string label));
        Assert.Equal(text, t);
        Assert.Equal("PER", label);
        Assert.False(CountPrompt.TryParse("text:\nno marker", PromptLanguage.English, out _, out _));
    }

    [Fact]
    public void Mention_index_must_be_within_the_count()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MentionPrompt.Build("a", Per, PromptLanguage.English, 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => MentionPrompt.Build("a", Per, PromptLanguage.English, 0, 1));
    }

    [Theory]
    [InlineData("<mention 12>rest", 12, 12)]
    [InlineData("<mention 0>", 0, 11)]
    [InlineData("<mention 01>", 0, 0)]
    [InlineData("<mention >", 0, 0)]
    [InlineData("<mention 3", 0, 0)]
    public void Mention_markers_parse_strictly(string s, int k, int length)
    {
        int n = PromptTemplate.English.MatchMentionMarker(s, out int got);
        Assert.Equal(length, n);
        Assert.Equal(k, got);
    }
}
