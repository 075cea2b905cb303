namespace PaDeLLM.Model.Kernels;

/// <summary>
/// A row count known when the JIT specialises a kernel over a struct implementing it, so the kernel's
/// branches on it fold away (C# has no integer generic parameters).
/// </summary>
internal interface IRowCount
{
    static abstract int Value { get; }
}

internal readonly struct OneRow : IRowCount
{
    public static int Value => 1;
}

internal readonly struct TwoRows : IRowCount
{
    public static int Value => 2;
}

internal readonly struct ThreeRows : IRowCount
{
    public static int Value => 3;
}

internal readonly struct FourRows : IRowCount
{
    public static int Value => 4;
}
