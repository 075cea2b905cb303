using System.Text;
using Xunit;

namespace PaDeLLM.Orchestrations.Tests;

/// <summary>
/// Result names are file names: every id of up to 200 characters fits 255 UTF-8 bytes, and two ids never meet.
/// </summary>
public class ResultNameTests
{
    [Theory]
    [InlineData(36, "é")] // 36 × é escapes to 216+ characters of %C3%A9
    [InlineData(200, "é")]
    [InlineData(200, "名")]
    [InlineData(180, "a/")]
    [InlineData(200, "%")]
    public void Long_or_escaped_ids_fit_a_255_byte_file_name_under_a_corpus_prefix(int length, string unit)
    {
        string id = string.Concat(Enumerable.Repeat(unit, length))[..length];
        string other = id[..^1] + "x";
        string prefix = new string('c', 60) + "/"; // a 60-character corpus name before the result's name
        string name = ResultNames.For(prefix, id), otherName = ResultNames.For(prefix, other);

        string file = name[prefix.Length..];
        Assert.True(Encoding.UTF8.GetByteCount(file) <= 255, $"{Encoding.UTF8.GetByteCount(file)} bytes: {file}");
        Assert.DoesNotContain('/', file);
        Assert.NotEqual(name, otherName);
        Assert.Equal(name, ResultNames.For(prefix, id)); // the same name on every rerun
    }
}
