using PaDeLLM.Model.Decoder;
using PaDeLLM.Ner.Algorithm;
using PaDeLLM.Ner.Data;
using PaDeLLM.Ner.Labels;
using PaDeLLM.Tests;
using PaDeLLM.Tokenizers;
using Xunit;

namespace PaDeLLM.Extraction.Tests;

/// <summary>
/// The engine service's prefix cache: what it reports (and evicts by) is the K/V it keeps alive, so a
/// text asked for again and again does not look bigger with every mention call, and it holds at most
/// its number of texts.
/// </summary>
public class PrefixCacheTests
{
    [SharedDataFact]
    public async Task A_cached_text_reports_the_same_bytes_however_many_mention_calls_it_serves()
    {
        string dir = Path.Combine(SharedData.RepoRoot, "models/conll03-en");
        using DecoderModel model = DecoderModel.Load(dir);
        using var service = new PadellmEngineService(model, TokenizerLoader.Load(dir)) { CacheEntries = 2 };
        LabelSchema schema = DatasetCatalog.Get("conll03").Schema;
        const string text = "EU rejects German call to boycott British lamb .";

        IReadOnlyList<CountAnswer> counts = await service.CountAsync(text, schema);
        CountAnswer counted = Assert.Single(counts.Where(c => c.Count > 0).Take(1));
        var call = new MentionCall(counted.Label, counted.Count!.Value, 1);
        MentionAnswer first = await service.MentionAsync(text, schema, call);
        long bytes = service.CachedBytes;
        Assert.True(bytes > 0);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(first.Mention, (await service.MentionAsync(text, schema, call)).Mention);
            Assert.Equal(bytes, service.CachedBytes);
        }

        Assert.Equal(21, service.CacheHits);

        // Two more texts: the least recently used (the first) goes, and its bytes with it.
        await service.CountAsync("Peter Blackburn met the European Commission .", schema);
        await service.CountAsync("Japan beat Syria 2-1 in the Asian Cup .", schema);
        Assert.Equal(2, service.CachedTexts);
        Assert.Equal(2, service.TextPrefixesEncoded - 1);
        await service.MentionAsync(text, schema, call);
        Assert.Equal(21, service.CacheHits); // evicted: answered from the full prompt, not the cache
    }
}
