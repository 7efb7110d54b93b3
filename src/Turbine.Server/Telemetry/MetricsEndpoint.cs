using System.Globalization;
using Microsoft.AspNetCore.Http;
using Turbine.Core;
using Turbine.Core.Lifecycle;
using Turbine.Core.Stats;
using Turbine.Protocol.Telemetry;

namespace Turbine.Server.Telemetry;

/// <summary>
/// <c>GET /metrics</c> on the metrics port: every metric in Prometheus text format, computed at scrape time from the
/// engine's per-version statistics, scheduler queues, model statuses and the front ends' <see cref="ServerMetrics"/>.
/// Nothing here runs on the request path; GPU metrics come from <see cref="IGpuStatsReader"/> when one is registered.
/// Names and meanings: docs/observability.md.
/// </summary>
public sealed class MetricsEndpoint(InferenceEngine engine, ServerMetrics metrics, Turbine.Core.Sources.IModelSource? source = null, IGpuStatsReader? gpus = null,
    Turbine.Monitoring.Online.MonitoringService? monitoring = null)
{
    /// <summary>Upper bounds of the <c>turbine_batch_size</c> buckets (requests per execution).</summary>
    public static readonly long[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    private static readonly string[] ModelStates = ["loading", "ready", "unloading", "unavailable"];

    private readonly HostStats _host = new();

    public async Task HandleAsync(HttpContext ctx)
    {
        var text = Render();
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = PrometheusText.ContentType;
        await ctx.Response.WriteAsync(text, ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The whole scrape, as text.</summary>
    public string Render()
    {
        var w = new PrometheusText();
        var snapshots = engine.GetServingVersions().Select(v => (Version: v, Stats: v.Statistics, Text: v.Version.ToString(CultureInfo.InvariantCulture))).ToList();

        WriteTriton(w, snapshots);
        WriteRequests(w);
        WriteModels(w, snapshots);
        WriteCache(w, snapshots);
        WriteMemory(w, snapshots);
        w.Family("turbine_payload_log_dropped_total", "counter", "Payload-log records dropped because the log's queue was full (the sinks fell behind); 0 when payload logging is off");
        w.Sample("turbine_payload_log_dropped_total", engine.PayloadLog?.DroppedCount ?? 0);
        ProcessMetrics.Write(w);
        return monitoring is null ? w.ToString() : w.ToString() + Turbine.Monitoring.Online.MonitoringMetrics.Render(monitoring);
    }

    private void WriteTriton(PrometheusText w, List<(ServingVersion Version, ModelStatisticsSnapshot Stats, string Text)> snapshots)
    {
        Counter(w, snapshots, "nv_inference_request_success", "Number of successful inference requests, all batch sizes", s => s.InferenceStats.Success.Count);
        Counter(w, snapshots, "nv_inference_request_failure", "Number of failed inference requests, all batch sizes", s => s.InferenceStats.Fail.Count);
        Counter(w, snapshots, "nv_inference_count", "Number of inferences performed (a batch of n counts n; cached responses included)", s => s.InferenceCount);
        Counter(w, snapshots, "nv_inference_exec_count", "Number of model executions performed (one per batch)", s => s.ExecutionCount);
        Counter(w, snapshots, "nv_inference_request_duration_us", "Cumulative duration of successful inference requests in microseconds (includes cached requests)", s => s.InferenceStats.Success.Ns / 1000);
        Counter(w, snapshots, "nv_inference_queue_duration_us", "Cumulative time requests spent waiting in the scheduling queue in microseconds", s => s.InferenceStats.Queue.Ns / 1000);
        Counter(w, snapshots, "nv_inference_compute_input_duration_us", "Cumulative compute input duration in microseconds", s => s.InferenceStats.ComputeInput.Ns / 1000);
        Counter(w, snapshots, "nv_inference_compute_infer_duration_us", "Cumulative compute inference duration in microseconds", s => s.InferenceStats.ComputeInfer.Ns / 1000);
        Counter(w, snapshots, "nv_inference_compute_output_duration_us", "Cumulative compute output duration in microseconds", s => s.InferenceStats.ComputeOutput.Ns / 1000);
        Counter(w, snapshots, "nv_cache_num_hits_per_model", "Number of response cache hits per model", s => s.InferenceStats.CacheHit.Count);
        Counter(w, snapshots, "nv_cache_num_misses_per_model", "Number of response cache misses per model", s => s.InferenceStats.CacheMiss.Count);

        w.Family("nv_inference_pending_request_count", "gauge", "Instantaneous number of pending requests awaiting execution per model");
        foreach (var (v, _, text) in snapshots)
        {
            w.Sample("nv_inference_pending_request_count", v.QueueDepth, "model", v.Model, "version", text);
        }

        var (total, used) = HostStats.Memory();
        w.Family("nv_cpu_utilization", "gauge", "CPU utilization rate [0.0 - 1.0] of the host since the previous scrape");
        w.Sample("nv_cpu_utilization", _host.CpuUtilization());
        w.Family("nv_cpu_memory_total_bytes", "gauge", "CPU total memory (RAM), in bytes");
        w.Sample("nv_cpu_memory_total_bytes", total);
        w.Family("nv_cpu_memory_used_bytes", "gauge", "CPU used memory (RAM), in bytes");
        w.Sample("nv_cpu_memory_used_bytes", used);
        GpuMetrics.Write(w, gpus?.Read() ?? []);
    }

    private void WriteRequests(PrometheusText w)
    {
        var series = metrics.Series
            .OrderBy(s => s.Key.Model, StringComparer.Ordinal).ThenBy(s => s.Key.Version).ThenBy(s => s.Key.Protocol).ThenBy(s => s.Key.Outcome)
            .ToList();
        const string name = "turbine_request_duration_seconds";
        w.Family(name, "histogram", "Inference request duration in the front end, by model, version, protocol (http|grpc) and outcome (success or the error class)");
        var failures = new SortedDictionary<(string Model, string Reason), long>();
        foreach (var (key, histogram) in series)
        {
            var version = key.Version < 0 ? "" : key.Version.ToString(CultureInfo.InvariantCulture);
            var protocol = ServerMetrics.ProtocolLabel(key.Protocol);
            var outcome = ServerMetrics.OutcomeLabel(key.Outcome);
            var snapshot = histogram.Snapshot();
            w.Histogram(name, snapshot, "model", key.Model, "version", version, "protocol", protocol, "outcome", outcome);
            var count = snapshot.Count;
            if (key.Outcome != StatusCode.Ok)
            {
                failures[(key.Model, outcome)] = failures.GetValueOrDefault((key.Model, outcome)) + count;
            }
        }

        w.Family("turbine_request_failures_total", "counter", "Failed inference requests by model and reason (the error class), both protocols");
        foreach (var ((model, reason), count) in failures)
        {
            w.Sample("turbine_request_failures_total", count, "model", model, "reason", reason);
        }
    }

    private void WriteModels(PrometheusText w, List<(ServingVersion Version, ModelStatisticsSnapshot Stats, string Text)> snapshots)
    {
        w.Family("turbine_queue_depth", "gauge", "Requests waiting in the model version's scheduler queue");
        foreach (var (v, _, text) in snapshots)
        {
            w.Sample("turbine_queue_depth", v.QueueDepth, "model", v.Model, "version", text);
        }

        const string batch = "turbine_batch_size";
        w.Family(batch, "histogram", "Requests per model execution (batch size of each formed batch)");
        foreach (var (v, s, text) in snapshots)
        {
            long count = 0, sum = 0;
            var bucketCounts = new long[BatchBuckets.Length];
            foreach (var b in s.BatchStats)
            {
                var executions = b.ComputeInfer.Count;
                count += executions;
                sum += executions * b.BatchSize;
                for (var i = 0; i < BatchBuckets.Length; i++)
                {
                    if (b.BatchSize <= BatchBuckets[i])
                    {
                        bucketCounts[i] += executions;
                    }
                }
            }

            for (var i = 0; i < BatchBuckets.Length; i++)
            {
                w.Sample(batch + "_bucket", bucketCounts[i], "model", v.Model, "version", text, "le", BatchBuckets[i].ToString(CultureInfo.InvariantCulture));
            }

            w.Sample(batch + "_bucket", count, "model", v.Model, "version", text, "le", "+Inf");
            w.Sample(batch + "_sum", sum, "model", v.Model, "version", text);
            w.Sample(batch + "_count", count, "model", v.Model, "version", text);
        }

        w.Family("turbine_model_load_duration_seconds", "gauge", "How long the serving load of the model version took (backend load and warm-up)");
        foreach (var (v, _, text) in snapshots)
        {
            w.Sample("turbine_model_load_duration_seconds", v.LoadDuration.TotalSeconds, "model", v.Model, "version", text);
        }

        w.Family("turbine_model_warmup_duration_seconds", "gauge", "How long the model version's warm-up (model_warmup samples) took, part of its load duration; 0 without warm-up");
        foreach (var (v, _, text) in snapshots)
        {
            w.Sample("turbine_model_warmup_duration_seconds", v.WarmupDuration.TotalSeconds, "model", v.Model, "version", text);
        }

        if (source is Registry.RegistrySync registry)
        {
            w.Family("turbine_registry_fetch_duration_seconds", "gauge", "How long the latest download of the model's registry artifact took (absent when it was served from a cached blob)");
            foreach (var (model, duration) in registry.FetchDurations.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.Sample("turbine_registry_fetch_duration_seconds", duration.TotalSeconds, "model", model);
            }
        }

        w.Family("turbine_model_state", "gauge", "1 for the state each known model version is in (loading, ready, unloading, unavailable), 0 for the others");
        foreach (var (model, status) in engine.GetVersionStatuses())
        {
            var current = status.State.ToString().ToLowerInvariant();
            var version = status.Version.ToString(CultureInfo.InvariantCulture);
            foreach (var state in ModelStates)
            {
                w.Sample("turbine_model_state", state == current ? 1 : 0, "model", model, "version", version, "state", state);
            }
        }
    }

    private void WriteCache(PrometheusText w, List<(ServingVersion Version, ModelStatisticsSnapshot Stats, string Text)> snapshots)
    {
        Counter(w, snapshots, "turbine_response_cache_hits_total", "Requests answered from the response cache", s => s.InferenceStats.CacheHit.Count);
        Counter(w, snapshots, "turbine_response_cache_misses_total", "Requests the response cache did not have (the model ran and the response was inserted)", s => s.InferenceStats.CacheMiss.Count);
        var cache = engine.GetResponseCacheStatistics();
        w.Family("turbine_response_cache_size_bytes", "gauge", "Bytes held by the server-wide response cache (0 when off)");
        w.Sample("turbine_response_cache_size_bytes", cache.SizeBytes);
        w.Family("turbine_response_cache_entries", "gauge", "Responses held by the server-wide response cache");
        w.Sample("turbine_response_cache_entries", cache.Entries);
    }

    /// <summary>Each loaded version's measured footprint; with a budget, the budget's state and what it did (labels bounded: none but model/version of loaded versions).</summary>
    private void WriteMemory(PrometheusText w, List<(ServingVersion Version, ModelStatisticsSnapshot Stats, string Text)> snapshots)
    {
        w.Family("turbine_model_memory_bytes", "gauge", "Memory the loaded model version is charged: its declared memory_bytes, else the larger of the resident growth measured around its load and warm-up and its weight bytes");
        foreach (var (v, _, text) in snapshots)
        {
            w.Sample("turbine_model_memory_bytes", v.Footprint.AccountedBytes, "model", v.Model, "version", text);
        }

        w.Family("turbine_model_memory_native_bytes", "gauge", "Native (non-managed) part of the resident growth measured around the version's load and warm-up");
        foreach (var (v, _, text) in snapshots)
        {
            w.Sample("turbine_model_memory_native_bytes", v.Footprint.NativeBytes, "model", v.Model, "version", text);
        }

        w.Family("turbine_model_memory_managed_bytes", "gauge", "Managed-heap growth measured around the version's load and warm-up");
        foreach (var (v, _, text) in snapshots)
        {
            w.Sample("turbine_model_memory_managed_bytes", v.Footprint.ManagedBytes, "model", v.Model, "version", text);
        }

        if (engine.GetMemoryBudgetStatistics() is not { } budget)
        {
            return;
        }

        w.Family("turbine_model_memory_budget_bytes", "gauge", "The model memory budget (--model-memory-budget)");
        w.Sample("turbine_model_memory_budget_bytes", budget.BudgetBytes);
        w.Family("turbine_model_memory_resident_bytes", "gauge", "Memory charged to the loaded model versions, against the budget");
        w.Sample("turbine_model_memory_resident_bytes", budget.ResidentBytes);
        w.Family("turbine_model_memory_pinned_bytes", "gauge", "Part of the resident bytes held by pinned versions");
        w.Sample("turbine_model_memory_pinned_bytes", budget.PinnedBytes);
        w.Family("turbine_model_loads_total", "counter", "Model loads that went through the memory budget (on demand, repository API, poll, registry)");
        w.Sample("turbine_model_loads_total", budget.Loads);
        w.Family("turbine_model_cold_loads_total", "counter", "Loads requests waited for (the model was not loaded when they arrived)");
        w.Sample("turbine_model_cold_loads_total", budget.ColdLoads);
        w.Family("turbine_model_evictions_total", "counter", "Idle model versions unloaded, least recently used first, to stay within the memory budget");
        w.Sample("turbine_model_evictions_total", budget.Evictions);
        w.Family("turbine_model_load_rejections_total", "counter", "Loads refused by the memory budget (model bigger than the budget, or no room freed in time)");
        w.Sample("turbine_model_load_rejections_total", budget.Rejections);
        w.Family("turbine_model_cold_load_duration_seconds", "histogram", "How long requests waited for a cold load");
        w.Histogram("turbine_model_cold_load_duration_seconds", budget.ColdLoadSeconds.Snapshot());
    }

    private static void Counter(PrometheusText w, List<(ServingVersion Version, ModelStatisticsSnapshot Stats, string Text)> snapshots,
        string name, string help, Func<ModelStatisticsSnapshot, long> value)
    {
        w.Family(name, "counter", help);
        foreach (var (v, s, text) in snapshots)
        {
            w.Sample(name, value(s), "model", v.Model, "version", text);
        }
    }
}
