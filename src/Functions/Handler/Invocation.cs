using System.Text.Json;
using System.Text.Json.Nodes;

namespace PaDeLLM.Functions.Handler;

/// <summary>
/// The custom handler's request envelope: <c>{"Data": {binding: value}, "Metadata": {…}}</c>.
/// The host hands string inputs over JSON-encoded (an activity's input object arrives as a
/// string holding its JSON, sometimes a string holding that string); <see cref="Input"/> undoes that.
/// </summary>
public sealed record Invocation(JsonObject Data, JsonObject Metadata)
{
    public static Invocation Parse(JsonNode? body)
    {
        if (body is not JsonObject o || o[nameof(Data)] is not JsonObject data)
        {
            throw new ArgumentException("not a custom handler invocation: expected {\"Data\": {…}, \"Metadata\": {…}}");
        }

        return new Invocation(data, o[nameof(Metadata)] as JsonObject ?? []);
    }

    /// <summary>The binding's value with its JSON string encoding(s) removed.</summary>
    public JsonNode? Input(string binding) => Unwrap(Data[binding]);

    public string RequiredString(string binding) =>
        Input(binding) is JsonValue v && v.TryGetValue(out string? s) ? s : throw new ArgumentException($"binding '{binding}' is missing or not a string");

    public static JsonNode? Unwrap(JsonNode? value)
    {
        for (int i = 0; i < 3 && value is JsonValue v && v.TryGetValue(out string? s); i++)
        {
            string t = s.TrimStart();
            if (t.Length == 0 || !(t[0] is '{' or '[' or '"' || t is "null" or "true" or "false" || char.IsAsciiDigit(t[0]) || t[0] == '-'))
            {
                break;
            }

            try
            {
                value = JsonNode.Parse(s);
            }
            catch (JsonException)
            {
                break;
            }
        }

        return value?.DeepClone();
    }
}

/// <summary>The response envelope: <c>{"Outputs": {…}, "Logs": […], "ReturnValue": …}</c>.</summary>
public sealed class InvocationResult
{
    public JsonObject Outputs { get; } = [];

    public List<string> Logs { get; } = [];

    public JsonNode? ReturnValue { get; set; }

    public JsonObject ToJson() => new()
    {
        [nameof(Outputs)] = Outputs.DeepClone(),
        [nameof(Logs)] = new JsonArray(Logs.Select(l => (JsonNode)l).ToArray()),
        [nameof(ReturnValue)] = ReturnValue?.DeepClone(),
    };

    /// <summary>An HTTP output binding's value: <c>{"statusCode", "headers", "body"}</c>.</summary>
    public static JsonObject Http(int status, JsonNode? body, IDictionary<string, string>? headers = null)
    {
        var h = new JsonObject { ["Content-Type"] = status >= 400 ? "application/problem+json" : "application/json" };
        foreach (var kv in headers ?? new Dictionary<string, string>())
        {
            h[kv.Key] = kv.Value;
        }

        return new JsonObject { ["statusCode"] = status, ["headers"] = h, ["body"] = body?.ToJsonString() ?? "" };
    }
}
