using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Inference;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Model.Tests;

/// <summary>
/// Both backends against PyTorch's numbers for the two fixture checkpoints: the CPU engine, and the
/// GPU backend's ILGPU kernels (on CUDA when the machine has a device, else on ILGPU's CPU accelerator).
/// </summary>
public class ParityTests
{
    public static TheoryData<string, DecoderBackend> Models()
    {
        var data = new TheoryData<string, DecoderBackend>();
        foreach (string model in new[] { "llama-tiny", "qwen2-tiny-tied-bf16" })
        {
            data.Add(model, DecoderBackend.Cpu);
            data.Add(model, DecoderBackend.Gpu);
        }

        return data;
    }

    [SharedDataTheory]
    [MemberData(nameof(Models))]
    public void Logits_of_every_position_match_pytorch(string name, DecoderBackend backend)
    {
        Golden g = Golden.For(name);
        using DecoderModel model = DecoderModel.Load(g.Directory, backend);
        KvCache cache = model.NewCache();

        // All three sequences in one batched forward, each on its own root.
        var segments = g.InputIds.Select(ids => new Segment(cache.CreateRoot(), ids)).ToList();
        float[] logits = model.Forward(segments, allPositions: true);
        Assert.Equal(g.Logits.Length, logits.Length);
        double worst = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(logits[i] - g.Logits[i]));
        }

        Assert.True(worst <= 2e-4, $"max |logit - golden| = {worst:E2}");
    }

    [SharedDataTheory]
    [MemberData(nameof(Models))]
    public void Incremental_decoding_gives_the_same_logits_as_one_prefill(string name, DecoderBackend backend)
    {
        Golden g = Golden.For(name);
        using DecoderModel model = DecoderModel.Load(g.Directory, backend);
        KvCache cache = model.NewCache();
        KvNode node = cache.CreateRoot();
        int[] ids = g.InputIds[1];
        int vocab = model.Config.VocabSize;
        model.Forward([new Segment(node, ids[..10])]);
        for (int t = 10; t < ids.Length; t++)
        {
            float[] step = model.Forward([new Segment(node, [ids[t]])]);
            for (int v = 0; v < vocab; v++)
            {
                float expected = g.Logits[(((1 * ids.Length) + t) * vocab) + v];
                Assert.True(Math.Abs(step[v] - expected) <= 2e-4, $"position {t} token {v}: {step[v]} vs {expected}");
            }
        }
    }

    [SharedDataTheory]
    [MemberData(nameof(Models))]
    public void Greedy_tokens_are_exact_and_log_probs_match(string name, DecoderBackend backend)
    {
        Golden g = Golden.For(name);
        using DecoderModel model = DecoderModel.Load(g.Directory, backend);
        var generator = new GreedyGenerator(model);
        GenerationResult r =
            generator.Generate([new GenerationRequest(model.NewCache().CreateRoot(), g.GreedyPrompt,
            g.GreedyTokens.Length, GenerationRequest.NoStop)])[0];
        Assert.Equal(g.GreedyTokens, r.Tokens);
        for (int i = 0; i < r.Tokens.Length; i++)
        {
            Assert.True(Math.Abs(r.LogProbabilities[i] - g.GreedyLogProbs[i]) <= 1e-4,
                $"token {i}: {r.LogProbabilities[i]} vs {g.GreedyLogProbs[i]}");
        }
    }
}
