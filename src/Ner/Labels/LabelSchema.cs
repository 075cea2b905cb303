namespace PaDeLLM.Ner.Labels;

/// <summary>
/// The ordered label set of a task. Order matters: prompts are issued in it, and the
/// paper's de-duplication breaks probability ties by it.
/// </summary>
public sealed class LabelSchema
{
    private readonly Dictionary<string, int> _byKey;
    private readonly Dictionary<string, int> _byPromptName;

    public LabelSchema(string name, PromptLanguage language, IEnumerable<EntityLabel> labels)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Language = language;
        Labels = labels.ToArray();
        if (Labels.Count == 0)
        {
            throw new ArgumentException($"label schema '{name}' has no labels", nameof(labels));
        }

        _byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        _byPromptName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Labels.Count; i++)
        {
            EntityLabel label = Labels[i];
            if (string.IsNullOrWhiteSpace(label.Key) || string.IsNullOrWhiteSpace(label.PromptName))
            {
                throw new ArgumentException($"label schema '{name}': label {i + 1} has an empty key or prompt name");
            }

            // Prompt names end up inside prompts and structured targets, where a newline or
            // a bracket would make the output unparseable.
            if (label.PromptName.IndexOfAny(['\n', '\r', '(', ')', '[', ']', ' ']) >= 0)
            {
                throw new ArgumentException($"label schema '{name}': prompt name '{label.PromptName}' must not contain "
                    + $"spaces, newlines, brackets or parentheses");
            }

            if (!_byKey.TryAdd(label.Key, i))
            {
                throw new ArgumentException($"label schema '{name}': duplicate label key '{label.Key}'");
            }

            if (!_byPromptName.TryAdd(label.PromptName, i))
            {
                throw new ArgumentException($"label schema '{name}': duplicate prompt name '{label.PromptName}'");
            }
        }
    }

    public string Name { get; }

    public PromptLanguage Language { get; }

    public IReadOnlyList<EntityLabel> Labels { get; }

    public IEnumerable<string> Keys => Labels.Select(l => l.Key);

    public bool Contains(string key) => _byKey.ContainsKey(key);

    /// <summary>Position of a label in the schema's order, or -1.</summary>
    public int IndexOf(string key) => _byKey.TryGetValue(key, out int i) ? i : -1;

    public EntityLabel Get(string key) =>
        _byKey.TryGetValue(key, out int i) ? Labels[i]
            : throw new KeyNotFoundException($"label '{key}' is not in schema '{Name}' ({string.Join(", ", Keys)})");

    public EntityLabel? FindByPromptName(string promptName) =>
        _byPromptName.TryGetValue(promptName, out int i) ? Labels[i] : null;

    /// <summary>
    /// A schema with only <paramref name="keys"/>, in the order given (for a request that asks for a subset).
    /// </summary>
    public LabelSchema Subset(IEnumerable<string> keys) => new(Name, Language, keys.Select(Get));

    public override string ToString() => $"{Name} [{string.Join(' ', Keys)}]";
}
