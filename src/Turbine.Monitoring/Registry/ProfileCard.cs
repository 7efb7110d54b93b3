using System.Text.Json;
using Turbine.Monitoring.Profiles;

namespace Turbine.Monitoring.Registry;

/// <summary>
/// The reference profile lives in the model version's registry card (the part of a version that stays writable),
/// as a JSON block between two HTML comments that Markdown renderers do not show; the rest of the card is kept.
/// </summary>
public static class ProfileCard
{
    public const string Begin = "<!-- turbine:reference-profile:begin -->";
    public const string End = "<!-- turbine:reference-profile:end -->";

    /// <summary>Largest profile JSON stored (the registry refuses metadata bodies above 1 MiB).</summary>
    public const int MaxJsonBytes = 960 * 1024;

    /// <summary>The card with <paramref name="profile"/> replacing any earlier profile block.</summary>
    public static string Embed(string card, ReferenceProfile profile)
    {
        var json = JsonSerializer.Serialize(profile, MonitoringJson.Options);
        if (System.Text.Encoding.UTF8.GetByteCount(json) > MaxJsonBytes)
        {
            throw new InvalidOperationException($"the reference profile is {json.Length} bytes of JSON, more than the {MaxJsonBytes} the registry card can hold; lower --sample-size or --max-categories");
        }

        var rest = Remove(card).TrimEnd();
        var block = $"{Begin}\n```json\n{json}\n```\n{End}\n";
        return rest.Length == 0 ? block : rest + "\n\n" + block;
    }

    /// <summary>The profile in <paramref name="card"/>, or null when it holds none.</summary>
    public static ReferenceProfile? Extract(string card)
    {
        var start = card.IndexOf(Begin, StringComparison.Ordinal);
        var end = card.IndexOf(End, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            return null;
        }

        var body = card[(start + Begin.Length)..end].Trim();
        if (body.StartsWith("```json", StringComparison.Ordinal))
        {
            body = body["```json".Length..];
        }

        body = body.Trim().TrimEnd('`').Trim();
        try
        {
            return JsonSerializer.Deserialize<ReferenceProfile>(body, MonitoringJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the reference profile in the card is not valid JSON: {e.Message}", e);
        }
    }

    private static string Remove(string card)
    {
        var start = card.IndexOf(Begin, StringComparison.Ordinal);
        var end = card.IndexOf(End, StringComparison.Ordinal);
        return start < 0 || end < start ? card : card[..start] + card[(end + End.Length)..].TrimStart('\n');
    }
}
