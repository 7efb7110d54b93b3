using Turbine.Core.Tensors;

namespace Turbine.Core.Scheduling;

/// <summary>What every member of a batch gets when running the batch threw (shared by the batchers).</summary>
internal static class BatchFailure
{
    /// <summary>
    /// One failed outcome per member: an <see cref="InferenceException"/>'s own error, otherwise INTERNAL naming
    /// the model and the exception's message.
    /// </summary>
    public static Result<ScheduledExecution>[] ForAll(Exception e, int members, string modelName)
    {
        var error = e is InferenceException ie
            ? ie.Error
            : InferenceError.Internal($"inference on model '{modelName}' failed: {e.Message}");
        var outcomes = new Result<ScheduledExecution>[members];
        Array.Fill(outcomes, Result<ScheduledExecution>.Fail(error));
        return outcomes;
    }
}
