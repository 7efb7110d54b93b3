using System.Buffers.Binary;
using System.Text;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Tensors;

namespace Turbine.Core.Scheduling;

internal sealed partial class SequenceBatcher
{
    /// <summary>Runs one batch on a worker's instance, answers its requests, ends or frees sequences, takes the next batch.</summary>
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
            var now = _time.GetTimestamp();
            for (var i = 0; i < batch.Members.Count; i++)
            {
                var entry = batch.Members[i];
                var outcome = outcomes[i];
                if (entry.CancelRequested && outcome.IsOk)
                {
                    foreach (var output in outcome.Value.Result.Outputs)
                    {
                        output.Dispose();
                    }

                    outcome = Cancelled("during execution");
                }

                var sequence = entry.Sequence;
                sequence.Running = false;
                sequence.LastActivity = now;
                entry.Finish(outcome);
                if (entry.End && sequence.Pending.Count == 0 && _sequences.GetValueOrDefault(sequence.Id) == sequence)
                {
                    ReleaseLocked(sequence, "ended with sequence_end");
                }
            }

            worker.Busy = false;
            PumpLocked(now);
        }
    }

    private Result<ScheduledExecution>[] Execute(IModelInstance instance, Batch batch)
    {
        var members = batch.Members;
        var n = members.Count;
        var inputs = new List<InferenceTensor>();
        var owned = new List<InferenceTensor>();
        ExecutionResult result;
        try
        {
            foreach (var input in members[0].Request.Inputs)
            {
                if (n == 1)
                {
                    inputs.Add(input);
                    continue;
                }

                var joined = BatchTensors.Concatenate([.. members.Select(m => FindInput(m.Request, input.Name)!)], n);
                owned.Add(joined);
                inputs.Add(joined);
            }

            foreach (var control in _controls)
            {
                var tensor = ControlTensor(control, members);
                owned.Add(tensor);
                inputs.Add(tensor);
            }

            for (var s = 0; s < _states.Length; s++)
            {
                var tensor = StateTensor(s, members);
                owned.Add(tensor);
                inputs.Add(tensor);
            }

            var outputNames = members.SelectMany(m => m.Request.OutputNames)
                .Concat(_states.Select(s => s.OutputName))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            result = instance.Execute(inputs, outputNames, CancellationToken.None);
        }
        finally
        {
            foreach (var tensor in owned)
            {
                tensor.Dispose();
            }
        }

        _statistics.RecordExecution(n, result.ComputeInputNs, result.ComputeInferNs, result.ComputeOutputNs);
        return Distribute(members, batch, result);
    }

    /// <summary>Splits the outputs per request, keeps each sequence's new state and answers with the asked outputs.</summary>
    private Result<ScheduledExecution>[] Distribute(List<Entry> members, Batch batch, ExecutionResult result)
    {
        var n = members.Count;
        var sizes = Enumerable.Repeat(1L, n).ToArray();
        var slices = new Dictionary<string, InferenceTensor[]>(StringComparer.Ordinal);
        InferenceError? error = null;
        foreach (var output in result.Outputs)
        {
            var split = n == 1 ? [output] : BatchTensors.Split(output, sizes);
            if (split is null)
            {
                output.Dispose();
                error ??= InferenceError.Internal(
                    $"model '{_modelName}' output '{output.Name}' has shape {TensorShape.Format(output.Shape)}, which cannot be split back into {n} sequences");
                continue;
            }

            slices[output.Name] = split;
        }

        var newStates = new StateValue[n][];
        for (var j = 0; j < n; j++)
        {
            newStates[j] = new StateValue[_states.Length];
        }

        for (var s = 0; s < _states.Length && error is null; s++)
        {
            if (!slices.TryGetValue(_states[s].OutputName, out var stateSlices))
            {
                error = InferenceError.Internal($"model '{_modelName}' returned no state output '{_states[s].OutputName}'");
                break;
            }

            for (var j = 0; j < n; j++)
            {
                var slice = stateSlices[j];
                long[] shape = _batching ? [.. slice.Shape.AsSpan(Math.Min(1, slice.Shape.Length))] : [.. slice.Shape];
                newStates[j][s] = new StateValue(shape, slice.Data.ToArray());
            }
        }

        var outcomes = new Result<ScheduledExecution>[n];
        for (var j = 0; j < n; j++)
        {
            var request = members[j].Request;
            var own = new List<InferenceTensor>();
            foreach (var (name, split) in slices)
            {
                if (error is null && request.OutputNames.Contains(name) && !_states.Any(s => s.OutputName == name))
                {
                    own.Add(split[j]);
                }
                else
                {
                    split[j].Dispose();
                }
            }

            if (error is not null)
            {
                outcomes[j] = error;
                continue;
            }

            // Only now, with every output in hand, does the sequence take its new state: a failed run leaves it as it was.
            members[j].Sequence.States = newStates[j];
            own.Sort((a, b) => IndexOf(request.OutputNames, a.Name).CompareTo(IndexOf(request.OutputNames, b.Name)));
            outcomes[j] = Result<ScheduledExecution>.Ok(new ScheduledExecution(
                new ExecutionResult(own, result.ComputeInputNs, result.ComputeInferNs, result.ComputeOutputNs),
                (long)((batch.Started - members[j].Enqueued) * (1_000_000_000.0 / _time.TimestampFrequency))));
        }

        return outcomes;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A control input for the batch: one value per item, shape [n, 1] (a non-batching model: [1]).</summary>
    private InferenceTensor ControlTensor(SequenceControlInput input, List<Entry> members)
    {
        var control = input.Controls[0];
        var type = control.TensorType;
        var n = members.Count;
        long[] shape = _batching ? [n, 1] : [1];
        if (type == TensorDataType.Bytes)
        {
            var buffer = new List<byte>();
            Span<byte> length = stackalloc byte[4];
            foreach (var entry in members)
            {
                var id = entry.Sequence.Id;
                var text = Encoding.UTF8.GetBytes(id.Text ?? id.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
                BinaryPrimitives.WriteInt32LittleEndian(length, text.Length);
                buffer.AddRange(length);
                buffer.AddRange(text);
            }

            return new InferenceTensor(input.Name, type, shape, buffer.ToArray());
        }

        var size = type.ElementSize();
        var data = new byte[n * size];
        for (var j = 0; j < n; j++)
        {
            var entry = members[j];
            var item = data.AsSpan(j * size, size);
            if (control.Kind == SequenceControlKind.SequenceCorrId)
            {
                if (size == 8)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(item, entry.Sequence.Id.Number);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(item, (uint)entry.Sequence.Id.Number);
                }

                continue;
            }

            var flag = control.Kind switch
            {
                SequenceControlKind.SequenceStart => entry.Start,
                SequenceControlKind.SequenceEnd => entry.End,
                _ => true, // READY: a compacted batch holds only ready items.
            };
            var index = flag ? 1 : 0;
            switch (type)
            {
                case TensorDataType.Int32:
                    BinaryPrimitives.WriteInt32LittleEndian(item, control.Int32FalseTrue[index]);
                    break;
                case TensorDataType.FP32:
                    BinaryPrimitives.WriteSingleLittleEndian(item, control.Fp32FalseTrue[index]);
                    break;
                default:
                    item[0] = control.BoolFalseTrue[index] ? (byte)1 : (byte)0;
                    break;
            }
        }

        return new InferenceTensor(input.Name, type, shape, data);
    }

    /// <summary>A state input for the batch: each sequence's own state, stacked along a leading batch dimension.</summary>
    private InferenceTensor StateTensor(int index, List<Entry> members)
    {
        var state = _states[index];
        var values = members.Select(m => StateFor(m, index)).ToArray();
        if (!_batching)
        {
            return new InferenceTensor(state.InputName, state.DataType, [.. values[0].Shape], values[0].Data);
        }

        var data = new byte[values.Sum(v => v.Data.Length)];
        var offset = 0;
        foreach (var value in values)
        {
            value.Data.CopyTo(data, offset);
            offset += value.Data.Length;
        }

        return new InferenceTensor(state.InputName, state.DataType, [values.Length, .. values[0].Shape], data);
    }

    /// <summary>One instance with its own thread, plus the sequence bookkeeping the batcher keeps for it.</summary>
    private sealed class Worker
    {
        private readonly InstanceThread<Batch> _thread;

        public Worker(SequenceBatcher owner, IModelInstance instance)
        {
            _thread = new InstanceThread<Batch>(instance, "sequence", batch => owner.RunBatch(this, batch));
        }

        public IModelInstance Instance => _thread.Instance;

        /// <summary>A batch is assigned or running. Guarded by the batcher's lock.</summary>
        public bool Busy { get; set; }

        /// <summary>Direct: sequences pinned to this instance. Guarded by the batcher's lock.</summary>
        public int SlotsUsed { get; set; }

        public void Start() => _thread.Start();

        public void Assign(Batch batch) => _thread.Assign(batch);

        public void Stop() => _thread.Stop();

        public void Join() => _thread.Join();
    }
}
