using Microsoft.AspNetCore.Http;

namespace PaDeLLM.GpuHost;

/// <summary>
/// A request the host refuses: an HTTP status and what is wrong,
/// answered as RFC 9457 problem details naming the field.
/// </summary>
public sealed class ProblemException(int status, string title, string detail, string? field = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Field { get; } = field;

    public static ProblemException BadRequest(string field, string detail) =>
        new(StatusCodes.Status400BadRequest, "Invalid request", detail, field);

    public static ProblemException TooLarge(string field, string detail) =>
        new(StatusCodes.Status413PayloadTooLarge, "Payload too large", detail, field);
}
