using Turbine.Core.Backends;
using Turbine.Core.Tensors;

namespace Turbine.Core.Scheduling;

internal sealed partial class DynamicBatcher
{
    /// <summary>Runs one batch on a worker's instance, answers its requests and takes the next batch.</summary>
    private void RunBatch(Worker worker, Batch batch)
    {
        Result<ScheduledExecution>[] outcomes;
        try
        {
            outcomes = Execute(worker.Instance, batch);
        }
        catch (Exception e)
        {
            outcomes = BatchFailure.ForAll(e, batch.Members.Count, _modelName);
        }

        lock (_gate)
        {
            for (var i = 0; i < batch.Members.Count; i++)
            {
                FinishLocked(batch.Members[i], outcomes[i]);
            }

            _free.Push(worker);
            PumpLocked();
        }
    }

    private Result<ScheduledExecution>[] Execute(IModelInstance instance, Batch batch)
    {
        var members = batch.Members;
        if (members.Count == 1)
        {
            // A batch of one: the request's own tensors in and out, no copy.
            var request = members[0].Request;
            var single = instance.Execute(request.Inputs, request.OutputNames, CancellationToken.None);
            _statistics.RecordExecution(request.BatchSize, single.ComputeInputNs, single.ComputeInferNs, single.ComputeOutputNs);
            return [Result<ScheduledExecution>.Ok(new ScheduledExecution(single, QueueNs(members[0], batch)))];
        }

        var sizes = members.Select(m => m.Request.BatchSize).ToArray();
        var total = sizes.Sum();
        var outputNames = members.SelectMany(m => m.Request.OutputNames).Distinct(StringComparer.Ordinal).ToList();
        var inputs = new List<InferenceTensor>(members[0].Request.Inputs.Count);
        ExecutionResult result;
        try
        {
            foreach (var input in members[0].Request.Inputs)
            {
                inputs.Add(BatchTensors.Concatenate([.. members.Select(m => FindInput(m.Request, input.Name)!)], total));
            }

            result = instance.Execute(inputs, outputNames, CancellationToken.None);
        }
        finally
        {
            foreach (var input in inputs)
            {
                input.Dispose();
            }
        }

        _statistics.RecordExecution(total, result.ComputeInputNs, result.ComputeInferNs, result.ComputeOutputNs);
        var perRequest = members.Select(_ => new Dictionary<string, InferenceTensor>(StringComparer.Ordinal)).ToArray();
        for (var o = 0; o < result.Outputs.Count; o++)
        {
            var output = result.Outputs[o];
            var slices = BatchTensors.Split(output, sizes);
            if (slices is null)
            {
                foreach (var tensor in perRequest.SelectMany(d => d.Values).Concat(result.Outputs.Skip(o)))
                {
                    tensor.Dispose();
                }

                var error = InferenceError.Internal(
                    $"model '{_modelName}' output '{output.Name}' has shape {TensorShape.Format(output.Shape)}, which cannot be split back into {members.Count} requests of a batch of {total}");
                return [.. members.Select(_ => Result<ScheduledExecution>.Fail(error))];
            }

            for (var i = 0; i < members.Count; i++)
            {
                if (members[i].Request.OutputNames.Contains(output.Name))
                {
                    perRequest[i][output.Name] = slices[i];
                }
                else
                {
                    slices[i].Dispose();
                }
            }
        }

        var outcomes = new Result<ScheduledExecution>[members.Count];
        for (var i = 0; i < members.Count; i++)
        {
            var own = members[i].Request.OutputNames.Where(perRequest[i].ContainsKey).Select(n => perRequest[i][n]).ToList();
            outcomes[i] = Result<ScheduledExecution>.Ok(new ScheduledExecution(
                new ExecutionResult(own, result.ComputeInputNs, result.ComputeInferNs, result.ComputeOutputNs),
                QueueNs(members[i], batch)));
        }

        return outcomes;
    }

    private long QueueNs(Entry entry, Batch batch) =>
        (long)((batch.Started - entry.Enqueued) * (1_000_000_000.0 / _time.TimestampFrequency));

    /// <summary>One instance with its own thread: it takes a batch the moment the batcher assigns one.</summary>
    private sealed class Worker
    {
        private readonly InstanceThread<Batch> _thread;

        public Worker(DynamicBatcher owner, IModelInstance instance)
        {
            _thread = new InstanceThread<Batch>(instance, "batcher", batch => owner.RunBatch(this, batch));
        }

        public IModelInstance Instance => _thread.Instance;

        public void Start() => _thread.Start();

        public void Assign(Batch batch) => _thread.Assign(batch);

        public void Stop() => _thread.Stop();

        public void Join() => _thread.Join();
    }
}
