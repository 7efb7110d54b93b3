using System.Globalization;
using System.Text.Json;
using Turbine.Control.Api;
using Turbine.Control.Reconciling;

namespace Turbine.Cli.Commands;

/// <summary>What <c>turbine control</c> prints: aligned tables for people, or the API's JSON for scripts.</summary>
internal sealed class ControlOutput(TextWriter writer, bool json, TimeProvider time)
{
    private static readonly JsonSerializerOptions JsonOptions = new(ControlJson.Options) { WriteIndented = true };

    /// <summary><c>FILE:line:col: path: message</c>, as compilers print positions.</summary>
    public static string Position(string origin, SpecDiagnosticResponse d) =>
        string.Create(CultureInfo.InvariantCulture, $"{origin}:{d.Line}:{d.Column}: {(d.Path.Length == 0 ? "" : d.Path + ": ")}{d.Message}");

    public void Line(string text) => writer.WriteLine(text);

    public void Applied(ApplyResponse applied, string origin, TextWriter error)
    {
        foreach (var w in applied.Warnings)
        {
            error.WriteLine("turbine: warning: " + Position(origin, w));
        }

        if (!WroteJson(applied))
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"deployment/{applied.Name} {applied.Result} (generation {applied.Generation})"));
        }
    }

    public void Deployments(DeploymentListResponse list)
    {
        if (WroteJson(list))
        {
            return;
        }

        Table(["NAME", "READY", "DESIRED", "PHASE", "VERSION", "CANARY", "AGE"], list.Deployments.Select(d => new[]
        {
            d.Name, Num(d.ReadyReplicas), Num(d.DesiredReplicas), Phase(d.Phase, d.Paused), d.Version ?? "-",
            d.CanaryVersion is null ? "-" : $"{d.CanaryVersion} ({Num(d.CanaryPercent ?? 0)}%)", Age(d.CreatedAt),
        }));
        foreach (var bad in list.Unreadable)
        {
            writer.WriteLine($"unreadable: {bad.Error}");
        }
    }

    public void Deployment(DeploymentResponse d)
    {
        if (WroteJson(d))
        {
            return;
        }

        var s = d.Status;
        Table(["NAME", "READY", "DESIRED", "PHASE", "VERSION", "CANARY", "AGE"], [
        [
            d.Name, Num(s.ReadyReplicas), Num(s.DesiredReplicas), Phase(s.Phase, d.Paused), s.Stable?.Version ?? "-",
            s.Canary is { } c ? $"{c.Version} ({Num(c.TrafficPercent)}%)" : "-", Age(d.CreatedAt),
        ]]);
    }

    public void Describe(DeploymentResponse d, EventListResponse events)
    {
        if (WroteJson(new { deployment = d, events = events.Events }))
        {
            return;
        }

        var s = d.Status;
        var spec = d.Spec;
        writer.WriteLine($"Name:          {d.Name}");
        writer.WriteLine($"Generation:    {Num(d.Generation)} (observed {Num(s.ObservedGeneration)})");
        writer.WriteLine($"Phase:         {Phase(s.Phase, d.Paused)}{(s.Message is null ? "" : " — " + s.Message)}");
        writer.WriteLine($"Storage URI:   {spec.StorageUri}");
        writer.WriteLine($"Format:        {spec.ModelFormat}");
        writer.WriteLine($"Replicas:      {Num(s.ReadyReplicas)} ready / {Num(s.DesiredReplicas)} desired (min {Num(spec.MinReplicas)}, max {Num(spec.MaxReplicas)})");
        writer.WriteLine($"Scaling:       {spec.ScaleMetric.ToString().ToLowerInvariant()} target {(spec.ScaleTarget is { } t ? Num(t) : "default")}, containerConcurrency {Num(spec.ContainerConcurrency)}");
        writer.WriteLine($"Canary:        {(spec.CanaryTrafficPercent is { } p ? Num(p) + "%" : "-")}");
        writer.WriteLine($"Created:       {d.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({Age(d.CreatedAt)} ago)");
        writer.WriteLine();
        writer.WriteLine("Replicas:");
        if (s.Replicas.Count == 0)
        {
            writer.WriteLine("  (none)");
        }
        else
        {
            Table(["  ID", "VERSION", "STATE", "PID", "HTTP", "GRPC", "RESTARTS", "MESSAGE"], s.Replicas.Select(r => new[]
            {
                "  " + r.Id, r.Version, r.State.ToString(), Num(r.Pid), Num(r.HttpPort), Num(r.GrpcPort), Num(r.Restarts), r.Message ?? "",
            }));
        }

        writer.WriteLine();
        writer.WriteLine("Revisions:");
        var revisions = new[] { ("stable", s.Stable), ("canary", s.Canary) }.Where(r => r.Item2 is not null).ToArray();
        if (revisions.Length == 0)
        {
            writer.WriteLine("  (none)");
        }
        else
        {
            Table(["  ROLE", "REVISION", "VERSION", "TRAFFIC", "READY"], revisions.Select(r => new[]
            {
                "  " + r.Item1, r.Item2!.RevisionId, r.Item2.Version, Num(r.Item2.TrafficPercent) + "%", Num(r.Item2.ReadyReplicas),
            }));
        }

        writer.WriteLine();
        writer.WriteLine(s.Rollout is { } ro
            ? $"Rollout:       {ro.State.ToString().ToLowerInvariant()}, step {Num(ro.StepIndex + 1)} of {Num(ro.Steps.Count)} ({string.Join(" → ", ro.Steps.Select(x => Num(x) + "%"))}){(ro.LastAnalysis is null ? "" : "; " + ro.LastAnalysis)}"
            : "Rollout:       (none)");
        writer.WriteLine(s.Autoscaler is { } a
            ? string.Create(CultureInfo.InvariantCulture, $"Autoscaler:    desired {a.DesiredReplicas}, stable {a.StableValue:0.##}, panic {a.PanicValue:0.##}{(a.PanicMode ? " (PANIC)" : "")}; {a.Reason}")
            : "Autoscaler:    (no decision yet)");
        writer.WriteLine();
        writer.WriteLine("Events:");
        if (events.Events.Count == 0)
        {
            writer.WriteLine("  (none)");
        }
        else
        {
            Table(["  AGE", "TYPE", "REASON", "MESSAGE"], events.Events.Select(e => new[] { "  " + Age(e.At), e.Kind.ToString(), e.Reason, e.Message }));
        }
    }

    public void Events(EventListResponse events)
    {
        if (!WroteJson(events))
        {
            Table(["AGE", "TYPE", "REASON", "MESSAGE"], events.Events.Select(e => new[] { Age(e.At), e.Kind.ToString(), e.Reason, e.Message }));
        }
    }

    public void Rollout(string name, string done, DeploymentStatus status)
    {
        if (!WroteJson(status))
        {
            writer.WriteLine($"deployment/{name} {done} (phase {Phase(status.Phase, status.Paused)})");
        }
    }

    private static string Phase(DeploymentPhase phase, bool paused) => phase + (paused ? " (paused)" : "");

    private string Age(DateTimeOffset since)
    {
        var age = time.GetUtcNow() - since;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalSeconds < 120 ? Num((long)age.TotalSeconds) + "s"
            : age.TotalMinutes < 120 ? Num((long)age.TotalMinutes) + "m"
            : age.TotalHours < 48 ? Num((long)age.TotalHours) + "h"
            : Num((long)age.TotalDays) + "d";
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private bool WroteJson<T>(T value)
    {
        if (!json)
        {
            return false;
        }

        writer.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
        return true;
    }

    private void Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            writer.WriteLine(string.Join("   ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }
}
