using System.Globalization;

namespace Turbine.EndToEnd.Tests.Adversarial;

/// <summary>Resident memory of a process as Linux reports it in <c>/proc/PID/status</c> (VmRSS now, VmHWM peak).</summary>
internal static class ProcessMemory
{
    public static long ResidentBytes(int pid) => Read(pid, "VmRSS:");

    public static long PeakResidentBytes(int pid) => Read(pid, "VmHWM:");

    private static long Read(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                // "VmRSS:	  123456 kB"
                var kb = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {field}");
    }
}
