using PaDeLLM.Bench;

// dotnet run -c Release --project bench/Bench -- engine [--out docs/bench]
string command = args.Length > 0 ? args[0] : "engine";
string? outDir = null;
for (int i = 1; i < args.Length - 1; i++)
{
    if (args[i] == "--out")
    {
        outDir = args[i + 1];
    }
}

try
{
    return command switch
    {
        "engine" => EngineBenchmark.Run(outDir),
        "memory" => EngineBenchmark.Memory(),
        "gemm" => EngineBenchmark.GemmOnly(),
        "decode-profile" => DecodeProfile.Run(),
        "attention" => AttentionBenchmark.Run(),
        "gpu" => GpuBenchmark.Run(args, outDir),
        "tokenizer" => TokenizerBenchmark.Run(outDir),
        "packing" => PackingBenchmark.Run(outDir),
        "training" => TrainingBenchmark.Run(args, outDir),
        "serve-load" => await ServingLoadBenchmark.Run(args, outDir),
        "serve-soak" => await ServingSoakBenchmark.Run(args, outDir),
        "pipeline" => await PipelineBenchmark.Run(args, outDir),
        "pipeline-overhead" => await OrchestrationOverheadBenchmark.Run(args, outDir),
        "plot-loss" => LossCurvePlot.Run(args, outDir),
        "plot-latency" => LatencyCdfPlot.Run(args, outDir),
        "plot-dev-f1" => DevF1Plot.Run(args, outDir),
        _ => Usage(),
    };
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
{
    // A missing or unreadable input (a results file, a train log, a model) is the caller's to fix:
    // name it rather than print a stack trace.
    Console.Error.WriteLine($"{command}: {e.Message}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("usage: PaDeLLM.Bench "
        + "engine|gpu [--small] [--peak-tflops T]|tokenizer|packing|training [--python "
        + "PY]|gemm|attention|decode-profile|serve-load|serve-soak"
        + "|pipeline [--before OLD/padellm.dll] [--durable-only]|pipeline-overhead"
        + "|plot-loss|plot-latency|plot-dev-f1 [--model DIR --seconds S --clients N] [--out DIR]");
    return 2;
}
