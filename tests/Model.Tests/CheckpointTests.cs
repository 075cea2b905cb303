using System.Text;
using PaDeLLM.Model.Checkpoints;
using PaDeLLM.Model.Decoder;
using PaDeLLM.Model.Numerics;
using PaDeLLM.Tests;
using Xunit;

namespace PaDeLLM.Model.Tests;

/// <summary>safetensors and config.json: round trips, and every malformed case a clear error.</summary>
public class CheckpointTests
{
    private static string WriteRaw(TempDir dir, string header, int dataBytes, string name = "model.safetensors")
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        using var s = new MemoryStream();
        s.Write(BitConverter.GetBytes((ulong)json.Length));
        s.Write(json);
        s.Write(new byte[dataBytes]);
        string path = dir.File(name);
        File.WriteAllBytes(path, s.ToArray());
        return path;
    }

    [Fact]
    public void Writer_and_reader_round_trip_f32_bf16_and_metadata()
    {
        using var dir = new TempDir();
        float[] a = [1, -2.5f, 3.25f, 0, 1e-3f, 7];
        string path = dir.File("model.safetensors");
        new SafetensorsWriter()
            .AddMetadata("format", "pt")
            .AddSingle("a", [2, 3], a)
            .AddBFloat16("b", [6], a)
            .Add("c", DType.F16, [2],
                System.Runtime.InteropServices.MemoryMarshal.AsBytes<Half>([(Half)1.5f, (Half)(-3f)]))
            .Save(path);
        using SafetensorsFile f = SafetensorsFile.Open(path);
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal(a, f.ReadSingle("a"));
        Assert.Equal([2L, 3L], f.Info("a").Shape);
        Assert.Equal(DType.BF16, f.Info("b").Type);
        Assert.Equal(a.Select(x => BFloat16.ToSingle(BFloat16.FromSingle(x))), f.ReadSingle("b"));
        Assert.Equal([1.5f, -3f], f.ReadSingle("c"));
        Assert.Equal(0, (8 + BitConverter.ToInt64(File.ReadAllBytes(path), 0)) % 8); // header padded to 8 bytes
    }

    [SharedDataFact]
    public void Fixture_checkpoints_survive_a_rewrite()
    {
        using var dir = new TempDir();
        string source = Golden.ModelDir("qwen2-tiny-tied-bf16");
        using SafetensorsFile original = SafetensorsFile.Open(Path.Combine(source, "model.safetensors"));
        var writer = new SafetensorsWriter();
        foreach (TensorInfo t in original.Tensors)
        {
            writer.Add(t.Name, t.Type, t.Shape, original.Bytes(t));
        }

        writer.Save(dir.File("model.safetensors"));
        using SafetensorsFile copy = SafetensorsFile.Open(dir.File("model.safetensors"));
        foreach (TensorInfo t in original.Tensors)
        {
            Assert.True(original.Bytes(t).SequenceEqual(copy.Bytes(copy.Info(t.Name))), t.Name);
        }
    }

    [Fact]
    public void Sharded_checkpoints_load_through_the_index()
    {
        using var dir = new TempDir();
        new SafetensorsWriter().AddSingle("x", [2], [1, 2]).Save(dir.File("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().AddSingle("y", [1], [3]).Save(dir.File("model-00002-of-00002.safetensors"));
        dir.File("model.safetensors.index.json", """{"metadata": {}, "weight_map": {"x": "model-00001-of-00002.safetensors", "y": "model-00002-of-00002.safetensors"}}""");
        using Checkpoint ck = Checkpoint.Open(dir.Path);
        Assert.Equal([1f, 2f], ck.ReadSingle("x"));
        Assert.Equal([3f], ck.ReadSingle("y"));

        dir.File("model.safetensors.index.json", """{"weight_map": {"z": "model-00001-of-00002.safetensors"}}""");
        Assert.Contains("does not contain it",
            Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir.Path)).Message);
        dir.File("model.safetensors.index.json", """{"weight_map": {"x": "../elsewhere.safetensors"}}""");
        Assert.Contains("inside the checkpoint directory",
            Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir.Path)).Message);
    }

    [Fact]
    public void Truncated_file_is_a_clear_error()
    {
        using var dir = new TempDir();
        string path = dir.File("model.safetensors");
        new SafetensorsWriter().AddSingle("a", [4], [1, 2, 3, 4]).Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 4)]);
        Assert.Contains("outside the 12-byte data section",
            Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);
        File.WriteAllBytes(path, bytes[..5]);
        Assert.Contains("truncated", Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Theory]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}""", 4, "outside the 4-byte data section")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}""", 12, "overlap")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}""", 8, "needs 12 bytes but data_offsets give 8")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}""", 8, "outside")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}}""", 8, "outside")]
    [InlineData("""{"a": {"dtype": "Q4", "shape": [2], "data_offsets": [0, 1]}}""", 8, "unsupported dtype 'Q4'")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}""", 8, "non-negative")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2]}}""", 8, "data_offsets must be [begin, end]")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [4294967296, 4294967296, 4294967296], "data_offsets": [0, 4]}}""", 8, "too large")]
    [InlineData("""not json""", 8, "not valid JSON")]
    [InlineData("""[1, 2]""", 8, "must be a JSON object")]
    public void Malformed_headers_are_clear_errors(string header, int dataBytes, string message)
    {
        using var dir = new TempDir();
        string path = WriteRaw(dir, header, dataBytes);
        var e = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path));
        Assert.Contains(message, e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void Header_length_past_the_end_is_a_clear_error()
    {
        using var dir = new TempDir();
        string path = dir.File("model.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1000UL), .. "{}"u8]);
        Assert.Contains("runs past the end",
            Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(ulong.MaxValue), .. "{}"u8]);
        Assert.Contains("exceeds", Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(path)).Message);
    }

    [SharedDataFact]
    public void Missing_tensor_and_wrong_shape_name_the_tensor()
    {
        using var dir = new TempDir();
        string source = Golden.ModelDir("llama-tiny");
        File.Copy(Path.Combine(source, "config.json"), dir.File("config.json"));
        using (SafetensorsFile original = SafetensorsFile.Open(Path.Combine(source, "model.safetensors")))
        {
            var writer = new SafetensorsWriter();
            foreach (TensorInfo t in original.Tensors.Where(t => t.Name != "model.layers.1.mlp.up_proj.weight"))
            {
                writer.Add(t.Name, t.Type, t.Shape, original.Bytes(t));
            }

            writer.Save(dir.File("model.safetensors"));
        }

        var e = Assert.Throws<CheckpointException>(() => DecoderWeights.Load(dir.Path));
        Assert.Contains("model.layers.1.mlp.up_proj.weight", e.Message);

        File.WriteAllText(dir.File("config.json"),
            File.ReadAllText(Path.Combine(source, "config.json"))
            .Replace("\"intermediate_size\": 184", "\"intermediate_size\": 200", StringComparison.Ordinal));
        File.Copy(Path.Combine(source, "model.safetensors"), dir.File("model.safetensors"), overwrite: true);
        var shape = Assert.Throws<CheckpointException>(() => DecoderWeights.Load(dir.Path));
        Assert.Contains("has shape [184, 64], expected [200, 64]", shape.Message);
    }

    [Theory]
    [InlineData("""{"architectures": ["GPT2LMHeadModel"]}""", "architecture 'GPT2LMHeadModel' is not supported")]
    [InlineData("""{"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 8, "num_hidden_layers": 1, "vocab_size": 10, "rope_scaling": {"rope_type": "yarn", "factor": 4}}""", "rope_scaling type 'yarn' is not supported")]
    [InlineData("""{"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 8, "num_hidden_layers": 1, "vocab_size": 10, "hidden_act": "gelu"}""", "hidden_act 'gelu'")]
    [InlineData("""{"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 3, "intermediate_size": 8, "num_hidden_layers": 1, "vocab_size": 10}""", "multiple of num_key_value_heads")]
    [InlineData("""{"model_type": "llama", "num_attention_heads": 4, "intermediate_size": 8, "num_hidden_layers": 1, "vocab_size": 10}""", "'hidden_size' is missing")]
    [InlineData("""{"model_type": "llama", "hidden_size": "64", "num_attention_heads": 4}""", "'hidden_size' must be an integer")]
    [InlineData("""{"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 8, "num_hidden_layers": 1, "vocab_size": 10, "mlp_bias": true}""", "mlp_bias")]
    [InlineData("""{"model_type": "qwen2", "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 8, "num_hidden_layers": 1, "vocab_size": 10, "use_sliding_window": true}""", "use_sliding_window")]
    [InlineData("""{"model_type": """, "not valid JSON")]
    public void Bad_configs_are_clear_errors(string json, string message)
    {
        var e = Assert.Throws<CheckpointException>(() => ModelConfig.Parse(json, "config.json"));
        Assert.Contains(message, e.Message);
    }

    [SharedDataFact]
    public void Fixture_configs_parse_with_their_features()
    {
        ModelConfig llama = ModelConfig.Load(Golden.ModelDir("llama-tiny"));
        Assert.False(llama.TieWordEmbeddings);
        Assert.False(llama.AttentionBias);
        Assert.Equal(16, llama.HeadDim);
        ModelConfig qwen = ModelConfig.Load(Golden.ModelDir("qwen2-tiny-tied-bf16"));
        Assert.True(qwen.TieWordEmbeddings);
        Assert.True(qwen.AttentionBias);
        Assert.Equal(1e6, qwen.RopeTheta);
        Assert.Equal([2], qwen.EosTokenIds);
    }

    [Fact]
    public void Mistral_configs_parse_with_gqa_and_their_sliding_window()
    {
        const string json = """{"architectures": ["MistralForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336, "num_attention_heads": 32, "num_key_value_heads": 8, "num_hidden_layers": 32, "vocab_size": 32000, "rms_norm_eps": 1e-05, "sliding_window": 4096, "eos_token_id": 2}""";
        ModelConfig c = ModelConfig.Parse(json, "config.json");
        Assert.Equal("MistralForCausalLM", c.Architecture);
        Assert.Equal(128, c.HeadDim);
        Assert.Equal(1024, c.KvDim);
        Assert.Equal(4096, c.SlidingWindow);
        Assert.False(c.AttentionBias);
    }

    [Fact]
    public void Missing_checkpoint_files_are_clear_errors()
    {
        using var dir = new TempDir();
        Assert.Contains("config.json", Assert.Throws<CheckpointException>(() => ModelConfig.Load(dir.Path)).Message);
        Assert.Contains("no model.safetensors",
            Assert.Throws<CheckpointException>(() => Checkpoint.Open(dir.Path)).Message);
    }
}
