using System.Diagnostics.CodeAnalysis;

namespace PaDeLLM.Ner.Parsing;

/// <summary>Either a value or a <see cref="ParseFailure"/>.</summary>
public readonly struct Parsed<T>
{
    private Parsed(T? value, ParseFailure? failure)
    {
        Value = value;
        Failure = failure;
    }

    public T? Value { get; }

    public ParseFailure? Failure { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Ok => Failure is null;

    public static Parsed<T> Success(T value) => new(value, null);

    public static Parsed<T> Fail(ParseFailureKind kind, string message) =>
        new(default, new ParseFailure(kind, message));

    public static implicit operator Parsed<T>(ParseFailure failure) => new(default, failure);

    public override string ToString() => Ok ? $"Ok({Value})" : Failure.ToString();
}
